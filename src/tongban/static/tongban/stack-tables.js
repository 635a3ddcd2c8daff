// Lists on a phone (site.css, `table.tb-stack`): each row reads as a card of "label: value" lines.
// This copies each column header's visible name into its cells' data-label, wraps each cell's content
// so label and value sit in two columns, and takes the (then hidden) sort links out of the Tab order
// while the cards are shown. Runs again after htmx swaps.
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 576px)");

  function headerName(th) {
    if (th.dataset.label) return th.dataset.label;
    var copy = th.cloneNode(true);
    copy.querySelectorAll(".visually-hidden, [aria-hidden='true']").forEach(function (el) { el.remove(); });
    return copy.textContent.replace(/[↑↓▲▼]/g, "").replace(/\s+/g, " ").trim();
  }

  function label(table) {
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) return;
    var names = [];
    heads.forEach(function (th) {
      var span = parseInt(th.getAttribute("colspan") || "1", 10);
      for (var i = 0; i < span; i++) names.push(headerName(th));
    });
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (tr) {
      var col = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        var span = parseInt(cell.getAttribute("colspan") || "1", 10);
        if (span === 1 && names[col] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", names[col]);
          if (!cell.querySelector(":scope > .tb-value")) {
            var value = document.createElement("span");
            value.className = "tb-value";
            while (cell.firstChild) value.appendChild(cell.firstChild);
            cell.appendChild(value);
          }
        }
        if (!cell.textContent.trim() && !cell.querySelector("img, input, select, button")) cell.classList.add("tb-empty");
        col += span;
      });
    });
    sortLinks(table);
  }

  function sortLinks(table) {
    table.querySelectorAll("thead a, thead button").forEach(function (el) {
      if (phone.matches) el.setAttribute("tabindex", "-1");
      else el.removeAttribute("tabindex");
    });
  }

  function run(root) {
    (root || document).querySelectorAll("table.tb-stack").forEach(label);
  }
  document.addEventListener("DOMContentLoaded", function () { run(document); });
  document.addEventListener("htmx:afterSettle", function (e) { run(e.target && e.target.querySelectorAll ? e.target : document); });
  phone.addEventListener("change", function () { document.querySelectorAll("table.tb-stack").forEach(sortLinks); });
})();
