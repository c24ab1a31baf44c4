// Territory Sync console: small behaviours shared by every page. No inline scripts anywhere (the
// Content-Security-Policy forbids them): pages pass data in data- attributes.
(function () {
  "use strict";
  var css = getComputedStyle(document.documentElement);
  var palette = [];
  for (var i = 0; ; i++) {
    var colour = css.getPropertyValue("--territory-" + i).trim();
    if (!colour) {
      break;
    }
    palette.push(colour);
  }
  var numbers = new Intl.NumberFormat("en-US");

  /** Shared with page scripts: the territory palette and the number format. */
  window.TerritorySync = {
    palette: palette,
    noTerritory: css.getPropertyValue("--territory-none").trim(),
    format: function (n) { return n == null ? "–" : numbers.format(n); }
  };

  // <canvas data-chart='{Chart.js config}'>: drawn when it appears, also after an htmx swap.
  function charts(root) {
    if (!window.Chart) {
      return;
    }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) {
        return;
      }
      canvas.dataset.drawn = "1";
      var config = JSON.parse(canvas.dataset.chart);
      config.options = config.options || {};
      config.options.animation = false;
      config.options.maintainAspectRatio = false;
      (config.data.datasets || []).forEach(function (d, n) {
        d.backgroundColor = d.backgroundColor || palette[n % palette.length];
      });
      new window.Chart(canvas, config);
    });
  }

  // <form data-confirm="Really?">: asks before submitting.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
    }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    charts(document);
    if (window.htmx) {
      window.htmx.onLoad(function (el) { charts(el); });
    }
  });
})();
