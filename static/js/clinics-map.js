// «Клиники»: the map of the listed clinics. Rendered only when a tile server is set, so the
// page never shows a broken map; the list above stays the source of truth.
(function () {
  "use strict";
  var box = document.getElementById("clinics-map");
  var data = document.getElementById("clinics-data");
  if (!box || !data || typeof L === "undefined") return;
  var clinics = JSON.parse(data.textContent);
  var map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer(box.dataset.tileUrl, { attribution: box.dataset.attribution || "", maxZoom: 19 }).addTo(map);
  var bounds = [];
  clinics.forEach(function (c) {
    var marker = L.marker([c.lat, c.lon], { title: c.name, alt: c.name }).addTo(map);
    var popup = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = c.name;
    popup.appendChild(name);
    popup.appendChild(document.createElement("br"));
    popup.appendChild(document.createTextNode(c.address));
    marker.bindPopup(popup);
    bounds.push([c.lat, c.lon]);
  });
  if (bounds.length === 1) map.setView(bounds[0], 15);
  else map.fitBounds(bounds, { padding: [30, 30] });
  box.classList.add("care-map--ready");
})();
