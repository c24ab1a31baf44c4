// Rules editor: a plain textarea with line numbers, the validator's error lines highlighted, and
// "line 12, column 5" links that put the caret there. The validation itself is an htmx POST.
(function () {
  "use strict";

  function setup(editor) {
    var text = editor.querySelector("textarea");
    var gutter = editor.querySelector(".gutter");
    var backdrop = editor.querySelector(".backdrop");
    var errors = {};
    var drawn = -1;

    function lines() {
      return text.value.split("\n").length;
    }

    function draw() {
      var n = lines();
      var g = [];
      var b = [];
      for (var i = 1; i <= n; i++) {
        var bad = errors[i] ? " error" : "";
        g.push('<div class="ln' + bad + '" data-line="' + i + '">' + i + "</div>");
        b.push('<div class="bl' + bad + '" data-line="' + i + '"></div>');
      }
      gutter.innerHTML = g.join("");
      backdrop.innerHTML = b.join("");
      drawn = n;
      scroll();
    }

    function scroll() {
      gutter.scrollTop = text.scrollTop;
      backdrop.style.transform = "translate(" + -text.scrollLeft + "px," + -text.scrollTop + "px)";
    }

    function mark(list) {
      errors = {};
      (list || "").split(",").forEach(function (l) {
        if (l) { errors[parseInt(l, 10)] = true; }
      });
      draw();
    }

    function goTo(line, column) {
      var parts = text.value.split("\n");
      var at = 0;
      for (var i = 0; i < line - 1 && i < parts.length; i++) {
        at += parts[i].length + 1;
      }
      at += Math.max(0, Math.min(column - 1, (parts[line - 1] || "").length));
      text.focus();
      text.setSelectionRange(at, at);
      var lh = parseFloat(getComputedStyle(text).lineHeight) || 20;
      text.scrollTop = Math.max(0, (line - 5) * lh);
      scroll();
    }

    text.addEventListener("input", function () {
      if (lines() !== drawn) { draw(); }
    });
    text.addEventListener("scroll", scroll);
    // Tab inserts two spaces (YAML has no tabs); Escape then Tab leaves the editor.
    var escaped = false;
    text.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { escaped = true; return; }
      if (e.key === "Tab" && !e.shiftKey && !escaped) {
        e.preventDefault();
        var s = text.selectionStart;
        text.setRangeText("  ", s, text.selectionEnd, "end");
        text.dispatchEvent(new Event("input", { bubbles: true }));
      }
      escaped = false;
    });
    document.addEventListener("click", function (e) {
      var go = e.target.closest && e.target.closest("button.goto");
      if (go) {
        goTo(parseInt(go.dataset.line, 10) || 1, parseInt(go.dataset.column, 10) || 1);
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      var check = document.getElementById("check");
      if (check && (e.target === check || e.target.id === "check")) {
        mark(check.dataset.errorLines);
      }
    });
    var initial = document.getElementById("check");
    mark(initial ? initial.dataset.errorLines : "");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-editor]").forEach(setup);
  });
})();
