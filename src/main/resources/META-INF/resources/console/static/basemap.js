// The console's Leaflet base map, shared by the Map and Realignment pages: no tile server by default
// (the app's own country and US state outlines), or the configured tile server. Settings come in
// the map element's data- attributes: data-outlines, data-tile-url, data-tile-attribution.
(function () {
  "use strict";

  function json(url, signal) {
    return fetch(url, { credentials: "same-origin", signal: signal, headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(url + " answered " + r.status);
        }
        return r.json();
      });
  }

  /**
   * A Leaflet map in {@code el} with the outlines (or tiles) under the panes named in {@code panes},
   * stacked in that order above the outlines; the whole world in view until the caller fits it.
   */
  function create(el, panes) {
    var L = window.L;
    var map = L.map(el, { minZoom: 2, maxZoom: 16, worldCopyJump: true });
    map.attributionControl.setPrefix(false);
    ["outlines"].concat(panes || []).forEach(function (name, n) {
      map.createPane(name).style.zIndex = String(250 + n * 100);
    });
    map.getPane("outlines").style.pointerEvents = "none";
    var tiles = el.dataset.tileUrl;
    if (tiles) {
      L.tileLayer(tiles, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("no-tiles");
      map.attributionControl.addAttribution("Outlines: Natural Earth, US Census Bureau");
    }
    map.setView([30, 0], 2);
    json(el.dataset.outlines).then(function (geo) {
      L.geoJSON(geo, {
        pane: "outlines",
        interactive: false,
        renderer: L.svg({ pane: "outlines" }),
        style: function (f) {
          var state = f.properties.kind === "state";
          return {
            color: state ? "#c5ccd8" : "#aab3c3",
            weight: state ? 0.7 : 0.9,
            fill: !tiles && !state,
            fillColor: "#f7f6f1",
            fillOpacity: 1
          };
        }
      }).addTo(map);
      el.dataset.outlinesDrawn = "1"; // for tests: the base map is complete
    }).catch(function () { /* outlines are decoration: what is drawn above still shows */ });
    return map;
  }

  window.TerritorySyncMap = { create: create, json: json };
})();
