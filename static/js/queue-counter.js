/* The officer's counter page (templates/queueing/counter.html): the current ticket and the waiting lists
   follow the floor every second (a JSON poll; a part is replaced only when what it shows changed), and a
   button sends its form once. The buttons are plain POST forms: without JS the page works, reloaded. */
(function () {
  "use strict";
  var PERIOD = 1000;

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset.sent) { e.preventDefault(); return; }
    form.dataset.sent = "1";
  });

  function init() {
    var live = document.querySelector("[data-counter-live]");
    if (!live) { return; }
    var note = document.querySelector("[data-live-note]");
    if (note) { note.hidden = false; }
    var panels = {
      current: live.querySelector("[data-panel=current]"),
      waiting: live.querySelector("[data-panel=waiting]")
    };
    var keys = { current: live.dataset.currentKey, waiting: live.dataset.waitingKey };
    var sending = false;
    document.addEventListener("submit", function () { sending = true; });

    function busy(panel) {  // the officer is choosing a counter to transfer to: do not pull it away
      var active = document.activeElement;
      return active && active.tagName === "SELECT" && panel.contains(active);
    }

    function poll() {
      if (sending) { return; }
      fetch(live.dataset.stateUrl, { headers: { Accept: "application/json" }, cache: "no-store",
                                     credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (state) {
          if (!state.open) { window.location.reload(); return; }  // closed elsewhere
          ["current", "waiting"].forEach(function (part) {
            if (state[part + "_key"] !== keys[part] && !busy(panels[part]) && !sending) {
              panels[part].innerHTML = state[part + "_html"];
              keys[part] = state[part + "_key"];
            }
          });
        })
        .catch(function () { /* the next tick tries again */ })
        .then(function () { window.setTimeout(poll, PERIOD); });
    }
    window.setTimeout(poll, PERIOD);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
