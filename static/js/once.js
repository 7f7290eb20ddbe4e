// The one-time key of a creating form ({% once_field %}, dossiers/idempotency.py).
// The server renders the key in data-once-key and leaves the field's value empty; this fills it in.
// When the officer presses Back, Chromium fetches the form again (with a new data-once-key) but first
// restores what the fields held, and a field is restored only when its value differs from the one in
// the HTML: so the key of the first submission comes back, and sending again replays its result.
(function () {
  function fill() {
    document.querySelectorAll("input[data-once-key]").forEach(function (field) {
      if (!field.value) { field.value = field.dataset.onceKey; }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fill); } else { fill(); }
  window.addEventListener("pageshow", fill);
})();
