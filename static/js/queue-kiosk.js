/* The kiosk of the desk floor (templates/queueing/kiosk_*.html): the on-screen keypad of the phone field,
   one submission per form (a double tap sends nothing more), going back to the start screen by itself, and
   printing the ticket once. Without JS the plain forms and links still work. */
(function () {
  "use strict";

  function keypad(pad) {
    var input = document.getElementById(pad.dataset.keypad);
    if (!input) { return; }
    pad.hidden = false;
    pad.addEventListener("click", function (e) {
      var key = e.target.closest("[data-key]");
      if (!key) { return; }
      var k = key.dataset.key;
      if (k === "back") { input.value = input.value.slice(0, -1); }
      else if (k === "clear") { input.value = ""; }
      else if (input.value.length < (input.maxLength > 0 ? input.maxLength : 15)) { input.value += k; }
    });
  }

  function oncePerForm() {
    document.addEventListener("submit", function (e) {
      var form = e.target;
      if (form.dataset.sent) { e.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("[data-once-submit]").forEach(function (b) { b.classList.add("is-busy"); });
    });
    // Back to a form kept in the page cache: it may be sent again (the server's one-time key still holds).
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form[data-sent]").forEach(function (f) { delete f.dataset.sent; });
    });
  }

  /* Go back to the start screen after `data-return-after` seconds; on a form, every touch restarts it. */
  function returnTimer(box) {
    var seconds = parseInt(box.dataset.returnAfter, 10) || 20;
    var left = seconds;
    var shown = box.querySelector("[data-seconds]");
    var note = box.querySelector("[data-countdown]");
    if (note) { note.hidden = false; }
    ["pointerdown", "keydown", "input"].forEach(function (type) {
      if (box.tagName === "FORM") { box.addEventListener(type, function () { left = seconds; }); }
    });
    window.setInterval(function () {
      left -= 1;
      if (shown) { shown.textContent = String(Math.max(left, 0)); }
      if (left <= 0) { window.location.assign(box.dataset.returnUrl); }
    }, 1000);
  }

  function autoprint(box) {
    if (box.dataset.autoprint !== "1") { return; }
    // Reloading this page or coming back to it never prints the ticket again.
    if (window.history.replaceState) { window.history.replaceState(null, "", window.location.pathname); }
    window.setTimeout(function () { window.print(); }, 300);
  }

  function init() {
    document.querySelectorAll("[data-keypad]").forEach(keypad);
    oncePerForm();
    document.querySelectorAll("[data-return-url]").forEach(returnTimer);
    document.querySelectorAll("[data-kiosk-ticket]").forEach(autoprint);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
