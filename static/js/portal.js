/* The portal's page behaviour, bound to data-* attributes: the Content-Security-Policy forbids inline
   script and on*= attributes, so every template hook lives here. Loaded in <head> (small, blocking) so
   the phone menu is collapsed before the first paint; everything else waits for the document. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  /* The first error on the page (a form's error summary, an error message) takes the focus and is
     scrolled into view: on a phone a failed upload otherwise looks like nothing happened. */
  function focusErrors(scope) {
    var box = (scope || document).querySelector("[data-error-summary], .message-error[role=alert]");
    if (!box) { return false; }
    if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "-1"); }
    box.focus({ preventScroll: true });
    box.scrollIntoView({ block: "start" });
    return true;
  }

  function setMenu(button, nav, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  }

  function initMenu() {
    var button = document.querySelector("[data-menu-toggle]");
    var nav = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      setMenu(button, nav, button.getAttribute("aria-expanded") !== "true");
      if (nav.classList.contains("open")) {
        var first = nav.querySelector("a");
        if (first) { first.focus(); }
      }
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        setMenu(button, nav, false);
        button.focus();
      }
    });
  }

  function init() {
    initMenu();
    focusErrors(document);
    // A fragment swapped in by htmx may carry its own error summary.
    document.body.addEventListener("htmx:afterSwap", function (event) { focusErrors(event.detail.target); });
  }

  // A link of an error summary brings its field into view with its label, and focuses it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    var field = link && document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) { return; }
    event.preventDefault();
    (field.closest(".field") || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  // Forms that ask before they act: <form data-confirm="Question?">.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // <select data-autosubmit> sends its form as soon as it changes (the form still has a button without JS).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) { field.form.submit(); }
  });

  // <a data-history-back href="…"> goes back when there is a page to go back to, else follows its link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-history-back]");
    if (link && window.history.length > 1 && document.referrer.indexOf(window.location.origin + "/") === 0) {
      event.preventDefault();
      window.history.back();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
