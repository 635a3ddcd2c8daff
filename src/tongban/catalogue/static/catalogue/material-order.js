/* Materials of the item form, numbered automatically (admin/catalogue/serviceitem/materials_inline.html).
   Each row is headed "第 N 项" and carries N in its hidden position field; 上移/下移 and dragging the
   handle change the order, and the services number the materials 1..n in that order on saving.
   Django's inline script re-indexes the rows' field names in page order when an added row is
   removed; existing rows must keep the first indexes (the formset's initial forms), so after every
   move and removal the rows are re-indexed: existing rows first, added rows after. */
(function () {
  "use strict";

  function rows(group) {
    return Array.from(group.querySelectorAll(".inline-related:not(.empty-form)"));
  }
  function field(row, name) {
    return row.querySelector('input[name$="-' + name + '"]');
  }
  function deleted(row) {
    var box = field(row, "DELETE");
    return Boolean(box && box.checked);
  }
  function label(row) {
    var name = field(row, "name");
    return (name && name.value.trim()) || "新材料";
  }

  function reindex(group) {
    var prefix = group.id.replace(/-group$/, "");
    var all = rows(group);
    var existing = all.filter(function (row) { var id = field(row, "id"); return id && id.value; });
    var added = all.filter(function (row) { return existing.indexOf(row) < 0; });
    var pattern = new RegExp("(^|_)(" + prefix + "-)\\d+(?=-|$)");
    existing.concat(added).forEach(function (row, index) {
      [row].concat(Array.from(row.querySelectorAll("[id], [name], [for]"))).forEach(function (el) {
        ["id", "name", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) el.setAttribute(attr, value.replace(pattern, "$1$2" + index));
        });
      });
    });
  }

  function renumber(group) {
    var n = 0;
    var live = rows(group).filter(function (row) { return !deleted(row); });
    rows(group).forEach(function (row) {
      var no = row.querySelector("[data-no]");
      var position = field(row, "position");
      if (deleted(row)) {
        if (no) no.textContent = "将删除";
        if (position) position.value = "";
        return;
      }
      n += 1;
      if (no) no.textContent = "第 " + n + " 项";
      if (position) position.value = String(n);
      row.querySelectorAll(".tb-move").forEach(function (button) {
        var step = Number(button.dataset.move);
        var word = step < 0 ? "上移" : "下移";
        button.setAttribute("aria-label", word + "“" + label(row) + "”（现为第 " + n + " 项）");
        button.disabled = (step < 0 && n === 1) || (step > 0 && n === live.length);
      });
    });
  }

  function announce(group, row) {
    var status = group.querySelector(".tb-order-status");
    var no = row.querySelector("[data-no]");
    if (status && no) status.textContent = "“" + label(row) + "”现为" + no.textContent + "。";
  }

  function settle(group, row) {
    renumber(group);
    reindex(group);
    if (row) announce(group, row);
  }

  function move(group, row, step) {
    var list = rows(group).filter(function (r) { return !deleted(r) || r === row; });
    var target = list[list.indexOf(row) + step];
    if (!target) return;
    target.parentNode.insertBefore(row, step < 0 ? target : target.nextSibling);
    settle(group, row);
  }

  function init(group) {
    group.querySelectorAll(".tb-order, .tb-order-help").forEach(function (el) { el.hidden = false; });
    var dragged = null;
    group.addEventListener("click", function (event) {
      var button = event.target.closest(".tb-move");
      if (!button) return;
      var row = button.closest(".inline-related");
      move(group, row, Number(button.dataset.move));
      if (button.disabled) {  // it reached an end: keep the focus in the row, on the other button
        var other = row.querySelector('.tb-move:not([data-move="' + button.dataset.move + '"])');
        if (other) other.focus();
      } else {
        button.focus();
      }
    });
    group.addEventListener("change", function (event) {
      if (/-(DELETE|name)$/.test(event.target.name || "")) renumber(group);
    });
    group.addEventListener("dragstart", function (event) {
      if (!event.target.closest || !event.target.closest(".tb-drag")) return;
      dragged = event.target.closest(".inline-related");
      dragged.classList.add("tb-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", label(dragged));
    });
    group.addEventListener("dragover", function (event) {
      var over = event.target.closest && event.target.closest(".inline-related:not(.empty-form)");
      if (!dragged || !over || over === dragged) return;
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
    });
    group.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });
    group.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("tb-dragging");
      settle(group, dragged);
      dragged = null;
    });
    document.addEventListener("formset:added", function (event) {
      if (group.contains(event.target)) settle(group, event.target);
    });
    document.addEventListener("formset:removed", function () {
      setTimeout(function () { settle(group, null); }, 0);  // after Django's own re-indexing
    });
    renumber(group);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".tb-materials.tb-orderable").forEach(init);
  });
})();
