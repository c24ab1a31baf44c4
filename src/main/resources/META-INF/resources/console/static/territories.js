// Territories page: open and close branches of the tree. A branch's rows are fetched the first
// time it opens (htmx inserts them under its row); later it only shows or hides them.
(function () {
  "use strict";
  function rows(selector) {
    return document.querySelectorAll("#territory-tree tbody tr" + selector);
  }
  function close(id) {
    rows('[data-path~="' + id + '"]').forEach(function (r) {
      r.hidden = true;
      var b = r.querySelector("button.toggle");
      if (b) {
        b.setAttribute("aria-expanded", "false");
      }
    });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("#territory-tree button.toggle");
    if (!button) {
      return;
    }
    var row = button.closest("tr");
    var id = row.dataset.id;
    if (button.getAttribute("aria-expanded") === "true") {
      close(id);
      button.setAttribute("aria-expanded", "false");
    } else if (button.dataset.loaded) {
      rows('[data-parent="' + id + '"]').forEach(function (r) { r.hidden = false; });
      button.setAttribute("aria-expanded", "true");
    } else if (window.htmx) {
      button.disabled = true;
      window.htmx.ajax("GET", button.dataset.children, { target: row, swap: "afterend" }).then(function () {
        button.dataset.loaded = "1";
        button.disabled = false;
        button.setAttribute("aria-expanded", "true");
      });
    }
  });
  // the territory shown in the detail panel is marked in the tree
  function mark() {
    var detail = document.getElementById("territory-detail");
    var current = detail && detail.dataset.territory;
    rows("").forEach(function (r) {
      r.classList.toggle("selected", r.dataset.id === current);
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
