/* Coverage map: the shipped Sichuan boundaries (stations:basemap) as the base layer, the covered H3 cells in
   scope coloured by branch, the top uncovered cells as red dots. No internet needed; tiles only if configured. */
(function () {
  "use strict";
  var el = document.getElementById("grid-map");
  if (!el || typeof L === "undefined") return;
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false }).setView([30.6, 103.9], 6);
  var tiles = el.getAttribute("data-tiles");
  if (tiles) L.tileLayer(tiles, { maxZoom: 14 }).addTo(map);
  var palette = ["#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#4e342e", "#283593"];
  function get(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; });
  }
  get(el.getAttribute("data-basemap")).then(function (data) {
    if (!data) return;
    var base = L.geoJSON(data, {
      interactive: false,
      style: function (f) {
        if (f.properties.level === "province") return { color: "#b71c1c", weight: 2, fill: false };
        return { color: "#a7b1bb", weight: 1, fillColor: "#f6f3ec", fillOpacity: tiles ? 0 : 1 };
      },
    }).addTo(map);
    base.bringToBack();
    map.fitBounds(base.getBounds(), { animate: false });
  });
  get(el.getAttribute("data-cells")).then(function (data) {
    if (!data) return;
    var count = 0;
    L.geoJSON(data, {
      style: function (f) {
        return { color: palette[f.properties.branch_id % palette.length], weight: 0.5, fillOpacity: 0.55 };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 5, color: "#c62828", fillColor: "#e53935", fillOpacity: 0.9, weight: 1 });
      },
      onEachFeature: function (f, layer) {
        count += 1;
        var p = f.properties;
        layer.bindTooltip(p.gap ? "未覆盖 · " + p.county + " · " + p.pings + " 个位置点" : p.branch);
      },
    }).addTo(map);
    el.setAttribute("data-features", String(count));
  });
})();
