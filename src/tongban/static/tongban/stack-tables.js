// Copies each column header of a `table.tb-stack` into its cells' data-label, so that on a phone
// (site.css) every row reads as a card of "label: value" lines. Runs again after htmx swaps.
(function () {
  "use strict";
  function label(table) {
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) return;
    var names = [];
    heads.forEach(function (th) {
      var span = parseInt(th.getAttribute("colspan") || "1", 10);
      for (var i = 0; i < span; i++) names.push(th.textContent.trim());
    });
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (tr) {
      var col = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        var span = parseInt(cell.getAttribute("colspan") || "1", 10);
        if (span === 1 && names[col] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[col]);
        if (!cell.textContent.trim() && !cell.querySelector("img, input, select, button")) cell.classList.add("tb-empty");
        col += span;
      });
    });
  }
  function run(root) {
    (root || document).querySelectorAll("table.tb-stack").forEach(label);
  }
  document.addEventListener("DOMContentLoaded", function () { run(document); });
  document.addEventListener("htmx:afterSettle", function (e) { run(e.target && e.target.querySelectorAll ? e.target : document); });
})();
