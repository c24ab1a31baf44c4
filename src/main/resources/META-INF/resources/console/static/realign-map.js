// Realignment page: the moved units on the console's base map (basemap.js). Each mark stands at the
// centroid of a unit's accounts and shows its old territory's colour, an arrow and its new one;
// its popup gives the unit, from, to, accounts and pipeline. Drawn when the plan's report appears,
// also after the htmx swap that ends a plan's progress. No inline scripts: the marks come in the
// element's data-moves attribute.
(function () {
  "use strict";
  var numbers = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

  function text(tag, className, value) {
    var e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    e.textContent = value;
    return e;
  }

  function swatch(colour) {
    var s = document.createElement("span");
    s.className = "swatch territory-" + colour;
    s.setAttribute("aria-hidden", "true");
    return s;
  }

  function popup(m) {
    var box = document.createElement("div");
    box.className = "map-popup move-popup";
    box.dataset.unit = m.unit;
    box.appendChild(text("strong", "", m.unit));
    box.appendChild(text("span", "subtle", " " + m.field));
    var route = document.createElement("ul");
    route.className = "plain";
    [["from", m.from, m.fromColour], ["to", m.to, m.toColour]].forEach(function (r) {
      var li = document.createElement("li");
      li.appendChild(text("span", "subtle", r[0] + " "));
      li.appendChild(swatch(r[2]));
      li.appendChild(text("strong", "move-" + r[0], r[1]));
      route.appendChild(li);
    });
    box.appendChild(route);
    box.appendChild(text("div", "", numbers.format(m.accounts) + " account" + (m.accounts === 1 ? "" : "s") +
      " · pipeline " + numbers.format(m.pipeline)));
    return box;
  }

  function icon(m) {
    var html = document.createElement("span");
    html.className = "move-mark-body";
    html.appendChild(swatch(m.fromColour));
    html.appendChild(text("span", "move-arrow", "\u2192"));
    html.appendChild(swatch(m.toColour));
    return window.L.divIcon({ className: "move-mark", html: html, iconSize: [46, 20], iconAnchor: [23, 10] });
  }

  function draw(root) {
    var el = root.querySelector ? root.querySelector("#moves-map") : null;
    if (!el && root.id === "moves-map") {
      el = root;
    }
    if (!el || el.dataset.drawn || !window.L || !window.TerritorySyncMap) {
      return;
    }
    el.dataset.drawn = "1";
    var L = window.L;
    var marks = JSON.parse(el.dataset.moves || "[]");
    var map = window.TerritorySyncMap.create(el, ["moves"]);
    var points = [];
    marks.forEach(function (m) {
      var marker = L.marker([m.lat, m.lon], { pane: "moves", icon: icon(m), title: m.unit + ": " + m.from + " \u2192 " + m.to, riseOnHover: true })
        .bindPopup(popup(m), { maxWidth: 320 })
        .addTo(map);
      var e = marker.getElement();
      e.dataset.unit = m.unit;
      e.dataset.from = m.from;
      e.dataset.to = m.to;
      points.push([m.lat, m.lon]);
    });
    if (points.length) {
      map.fitBounds(points, { padding: [36, 36], maxZoom: 7, animate: false });
    }
    el.dataset.marks = String(points.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
    // not htmx.onLoad: this script runs before htmx's, and htmx would register that listener only
    // on a DOMContentLoaded that is already being dispatched, so never
    document.body.addEventListener("htmx:load", function (e) { draw(e.detail.elt); });
  });
})();
