/* The reception desk form (dossiers/desk.html). */
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    // Choosing the procedure reloads the page with its list of components to tick (no data typed yet).
    if (e.target.name === "version" && e.target.value) { window.location.search = "?version=" + e.target.value; }
    if (e.target.name === "channel") {  // show only the fees of the chosen channel; clear the others' exemptions
      document.querySelectorAll(".fee-line[data-channel]").forEach(function (line) {
        var mine = line.dataset.channel === e.target.value;
        line.hidden = !mine;
        if (!mine) { line.querySelectorAll("select, input").forEach(function (f) { f.value = ""; }); }
      });
    }
  });
})();
