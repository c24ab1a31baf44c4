// Map page: on the console's base map (basemap.js: outlines or tiles), territory hulls and the
// accounts of each view as the server sends them: counted per grid cell when many, one dot per
// account when few. No inline scripts: settings come in data- attributes.
(function () {
  "use strict";
  var numbers = new Intl.NumberFormat("en-US");
  var compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

  var json = window.TerritorySyncMap && window.TerritorySyncMap.json;

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("map");
    if (!el || !window.L || !window.TerritorySyncMap) {
      return;
    }
    var L = window.L;
    var map = window.TerritorySyncMap.create(el, ["hulls", "accounts", "counts"]);
    map.getPane("counts").style.pointerEvents = "none";

    var hullLayer = L.layerGroup().addTo(map);
    var accountLayer = L.layerGroup().addTo(map);
    var countLayer = L.layerGroup().addTo(map);
    var hullRenderer = L.svg({ pane: "hulls" });
    var accountRenderer = L.svg({ pane: "accounts" });
    var summary = document.getElementById("map-summary");
    var legend = document.getElementById("map-legend");
    var pending = null;
    var loads = 0;
    var started = 0;
    var inFlight = 0;
    // for tests and assistive tools: how many views were drawn, and whether one is loading
    function busy(delta) {
      inFlight += delta;
      el.dataset.busy = inFlight > 0 ? "1" : "0";
    }

    function territoryParam() {
      var t = el.dataset.territory;
      return t ? "&territory=" + encodeURIComponent(t) : "";
    }

    function drawLegend(entries, total, mode) {
      summary.textContent = numbers.format(total) + " account" + (total === 1 ? "" : "s") + " in view · " +
        (mode === "cells" ? "counted per grid cell" : "one dot per account");
      legend.textContent = "";
      entries.slice(0, 14).forEach(function (t) {
        var li = document.createElement("li");
        li.dataset.territory = t.id || "";
        var sw = document.createElement("span");
        sw.className = "swatch";
        sw.style.background = t.colour;
        sw.setAttribute("aria-hidden", "true");
        li.appendChild(sw);
        var name = document.createElement(t.id ? "a" : "span");
        if (t.id) {
          name.href = "/console/territories?t=" + encodeURIComponent(t.id);
        }
        name.textContent = t.name;
        li.appendChild(name);
        var n = document.createElement("span");
        n.className = "count";
        n.textContent = numbers.format(t.accounts);
        li.appendChild(n);
        legend.appendChild(li);
      });
      if (entries.length > 14) {
        var more = document.createElement("li");
        more.className = "subtle";
        more.textContent = "and " + (entries.length - 14) + " more territories";
        legend.appendChild(more);
      }
    }

    function popup(marker, id) {
      marker.bindPopup("<p class=\"subtle\">Loading…</p>", { maxWidth: 320 });
      marker.on("popupopen", function () {
        fetch("/console/map/accounts/" + encodeURIComponent(id), { credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(function (html) { marker.setPopupContent(html); });
      });
    }

    function load() {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      started++;
      busy(1);
      var b = map.getBounds();
      var url = el.dataset.data + "?west=" + b.getWest().toFixed(4) + "&south=" + b.getSouth().toFixed(4) +
        "&east=" + b.getEast().toFixed(4) + "&north=" + b.getNorth().toFixed(4) + "&zoom=" + map.getZoom() +
        territoryParam();
      json(url, pending.signal).then(function (data) {
        var colours = {};
        var ids = {};
        data.territories.forEach(function (t) {
          colours[t.index] = t.colour;
          ids[t.index] = t.id || "";
        });
        accountLayer.clearLayers();
        countLayer.clearLayers();
        if (data.mode === "points") {
          data.points.forEach(function (p) {
            var m = L.circleMarker([p[0], p[1]], {
              renderer: accountRenderer, pane: "accounts", radius: 5, color: "#ffffff", weight: 1,
              fillColor: colours[p[2]], fillOpacity: 0.95, className: "account"
            }).addTo(accountLayer);
            var path = m.getElement();
            path.dataset.account = p[3];
            path.dataset.territory = ids[p[2]];
            popup(m, p[3]);
          });
        } else {
          data.cells.forEach(function (c) {
            var r = 7 + 4 * Math.log10(c[2]);
            var m = L.circleMarker([c[0], c[1]], {
              renderer: accountRenderer, pane: "accounts", radius: r, color: "#ffffff", weight: 1.5,
              fillColor: colours[c[3]], fillOpacity: 0.85, className: "cell"
            }).addTo(accountLayer);
            var path = m.getElement();
            path.dataset.count = c[2];
            path.dataset.territory = ids[c[3]];
            m.bindTooltip(numbers.format(c[2]) + " accounts" + (c[4] > 1 ? " in " + c[4] + " territories" : ""));
            m.on("click", function () { map.setView([c[0], c[1]], Math.min(map.getZoom() + 2, 16)); });
            if (r >= 10) {
              L.marker([c[0], c[1]], {
                pane: "counts", interactive: false, keyboard: false,
                icon: L.divIcon({ className: "cell-count", html: compact.format(c[2]), iconSize: [40, 16] })
              }).addTo(countLayer);
            }
          });
        }
        drawLegend(data.territories, data.total, data.mode);
        el.dataset.mode = data.mode;
        el.dataset.total = String(data.total);
        el.dataset.loads = String(++loads);
      }).catch(function (e) {
        if (e.name !== "AbortError") {
          summary.textContent = "Cannot load the accounts: " + e.message;
        }
      }).finally(function () { busy(-1); });
    }

    function loadHulls(fit) {
      busy(1);
      json(el.dataset.hulls + "?" + territoryParam().substring(1)).then(function (data) {
        hullLayer.clearLayers();
        data.hulls.forEach(function (h) {
          var ring = [];
          for (var i = 0; i < h.hull.length; i += 2) {
            ring.push([h.hull[i], h.hull[i + 1]]);
          }
          L.polygon(ring, {
            renderer: hullRenderer, pane: "hulls", color: h.colour, weight: 1.5, opacity: 0.9,
            fillColor: h.colour, fillOpacity: 0.1, className: "hull"
          }).bindTooltip(h.name, { sticky: true }).addTo(hullLayer).getElement().dataset.territory = h.id;
        });
        var before = started;
        if (fit && data.bounds) {
          map.fitBounds([[data.bounds[0], data.bounds[1]], [data.bounds[2], data.bounds[3]]],
            { padding: [24, 24], maxZoom: 9, animate: false });
        }
        if (started === before) {
          load(); // the view did not move, so no moveend asked for the accounts
        }
      }).catch(function (e) {
        summary.textContent = "Cannot load the territories: " + e.message;
      }).finally(function () { busy(-1); });
    }

    map.on("moveend", load);
    loadHulls(true);

    var select = document.getElementById("map-territory");
    var form = document.getElementById("map-filter");
    function apply(e) {
      if (e) {
        e.preventDefault();
      }
      el.dataset.territory = select.value;
      var url = "/console/map" + (select.value ? "?territory=" + encodeURIComponent(select.value) : "");
      window.history.replaceState(null, "", url);
      loadHulls(true);
    }
    select.addEventListener("change", apply);
    form.addEventListener("submit", apply);
  });
})();
