/* A ticket's public tracking page (templates/queueing/track.html): asks for its state every 5 s. */
(function () {
  "use strict";
  var PERIOD = 5000;

  function init() {
    var box = document.querySelector("[data-ticket-track]");
    if (!box) { return; }
    var live = box.querySelector("[data-live-note]");
    var reload = box.querySelector("[data-reload-note]");
    if (box.dataset.final === "1") { return; }
    if (live) { live.hidden = false; }
    if (reload) { reload.hidden = true; }

    function show(state) {
      box.querySelectorAll("[data-field]").forEach(function (el) {
        var value = state[el.dataset.field];
        if (value !== undefined && value !== null && el.textContent !== String(value)) { el.textContent = String(value); }
      });
      var message = box.querySelector("[data-field=message]");
      if (message) { message.className = "track-message track-" + state.status; message.dataset.status = state.status; }
    }

    function poll() {
      fetch(box.dataset.stateUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (state) {
          show(state);
          if (state.final) { if (live) { live.hidden = true; } return; }
          window.setTimeout(poll, PERIOD);
        })
        .catch(function () { window.setTimeout(poll, PERIOD * 2); });
    }
    window.setTimeout(poll, PERIOD);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
