/* The declaration page (dossiers/declaration.html), and any form marked data-show-rules (the new-dossier page:
   the desk to collect the result from is asked only when the result is collected at a desk). Everything works
   without this file; it only:
   - shows a field that a rule requires only when the rule applies (data-show-if / data-show-values),
   - lists in the commune select only the communes of the chosen province,
   - saves a draft a few seconds after the citizen stops typing (X-Autosave), so nothing typed is lost
     (not on the catalogue's preview of a form, whose form has no data-autosave-url). */
(function () {
  "use strict";
  function valueOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "checkbox") return el.checked ? "on" : "";
      if (el.type === "radio") { if (el.checked) return el.value; continue; }
      return el.value;
    }
    return "";
  }
  function applyRules(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var wanted = (box.getAttribute("data-show-values") || "").split("|");
      var shown = wanted.indexOf(valueOf(form, box.getAttribute("data-show-if"))) !== -1;
      box.hidden = !shown;
      var note = box.querySelector(".condition-note");
      if (note) note.hidden = true;
    });
  }
  function filterCommunes(fieldset) {
    var province = fieldset.querySelector("[data-province]");
    var commune = fieldset.querySelector("[data-commune]");
    if (!province || !commune) return;
    var label = province.options[province.selectedIndex] ? province.options[province.selectedIndex].text : "";
    commune.querySelectorAll("optgroup").forEach(function (group) {
      var match = !province.value || group.label === label;
      group.hidden = !match;
      group.disabled = !match;
    });
    var chosen = commune.options[commune.selectedIndex];
    if (chosen && chosen.parentNode.tagName === "OPTGROUP" && chosen.parentNode.disabled) commune.value = "";
    // A province whose communes are not listed yet: the commune's name is typed instead.
    var listed = !province.value || Array.prototype.some.call(commune.querySelectorAll("optgroup"),
      function (group) { return group.label === label; });
    var typed = fieldset.querySelector("[data-commune-name]");
    if (typed) typed.hidden = listed;
    commune.disabled = !listed;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-show-rules]").forEach(function (other) {
      applyRules(other);
      other.addEventListener("change", function () { applyRules(other); });
    });
    var form = document.querySelector("[data-declaration]");
    if (!form) return;
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    applyRules(form);
    form.querySelectorAll("fieldset.address").forEach(filterCommunes);
    function save() {
      if (!form.getAttribute("data-autosave-url")) return;  /* the catalogue's preview stores nothing */
      var data = new FormData(form);
      data.set("action", "save");
      fetch(form.getAttribute("data-autosave-url"), {
        method: "POST", body: data, credentials: "same-origin", headers: {"X-Autosave": "1"}
      }).then(function (r) { return r.json(); }).then(function (body) {
        if (status) status.textContent = body.saved ? (form.getAttribute("data-saved-text") || "Đã lưu nháp lúc") + " " + body.at
                                                    : (body.detail || "");
      }).catch(function () { /* offline: the next change tries again */ });
    }
    form.addEventListener("change", function (event) {
      applyRules(form);
      var box = event.target.closest("fieldset.address");
      if (box && event.target.hasAttribute("data-province")) filterCommunes(box);
      clearTimeout(timer);
      timer = setTimeout(save, 3000);
    });
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 8000); });
  });
})();
