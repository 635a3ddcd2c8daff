// Clerk console: single-key shortcuts when the focus is not in a text field (documented on the page).
// N call next, R recall, S start, F finish, X no-show, T focus transfer target, L focus case number.
(function () {
  "use strict";
  document.addEventListener("keydown", function (evt) {
    if (evt.altKey || evt.ctrlKey || evt.metaKey) { return; }
    var tag = (evt.target && evt.target.tagName) || "";
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag) || (evt.target && evt.target.isContentEditable)) { return; }
    var key = (evt.key || "").toLowerCase();
    var el = document.querySelector('#console [data-key="' + key + '"]');
    if (!el) { return; }
    evt.preventDefault();
    if (el.tagName === "BUTTON") { el.click(); } else { el.focus(); }
  });
})();
