/* Upload with a progress bar (slow rural connections); without JavaScript the form posts normally. */
(function () {
  document.querySelectorAll("form.upload-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var bar = form.querySelector("progress") || document.createElement("progress");
      bar.className = "upload-progress"; bar.max = 100; bar.value = 0;
      form.appendChild(bar);
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(e.loaded * 100 / e.total); }
      });
      xhr.addEventListener("load", function () {
        // The server answered with the dossier page (after its redirect): show it, with its message.
        if (xhr.responseURL) { window.history.replaceState(null, "", xhr.responseURL); }
        document.open(); document.write(xhr.responseText); document.close();
      });
      xhr.addEventListener("error", function () { if (button) { button.disabled = false; } bar.remove(); form.submit(); });
      xhr.send(new FormData(form));
    });
  });
})();
