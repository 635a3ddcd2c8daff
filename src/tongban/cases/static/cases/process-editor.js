/* The process editor (cases/staff/process_editor.html): after an add, remove or move the editor is
   drawn again (htmx, or a page load without it) and says which control the keyboard belongs on —
   the new step's name, the moved stage's button, the refusal's message — in data-focus. A move button that reached an end
   is disabled; the focus then goes to its other half (上移 ↔ 下移). */
(function () {
  "use strict";
  function focusRequested() {
    var editor = document.getElementById("process-editor");
    var id = editor && editor.dataset.focus;
    if (!id) return;
    var el = document.getElementById(id);
    if (el && el.disabled) {
      el = document.getElementById(/-up$/.test(id) ? id.replace(/-up$/, "-down") : id.replace(/-down$/, "-up"));
    }
    if (el && !el.disabled) el.focus();
  }
  document.addEventListener("DOMContentLoaded", focusRequested);
  // A refused save (400 invalid, 409 conflict) is the editor drawn again with the reason: swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (event.detail.target && event.detail.target.id === "process-editor" && (status === 400 || status === 409)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "process-editor") focusRequested();
  });
})();
