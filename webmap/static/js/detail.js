// The small map on one offer's page: its marker and popup, nothing else loaded.
import { createMap, offerIcon, popupContent, readConfig } from "./map.js";

const config = readConfig("map-config");
const element = document.getElementById("map");
if (config && element && window.L) {
  const map = createMap(element, config);
  const { lat, lon, name, category } = config.marker;
  map.setView([lat, lon], config.options.zoom || 17);
  const marker = window.L.marker([lat, lon], {
    icon: offerIcon(config, category.key), title: name, keyboard: true,
  }).addTo(map);
  marker.bindPopup(() => popupContent(config, { name, category: category.key, address: config.marker.address || "" }));
  marker.on("add", () => { const el = marker.getElement(); if (el) el.setAttribute("aria-label", name); });
  document.body.dataset.mapReady = "1";
}
