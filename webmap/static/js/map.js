// Leaflet map of offers, configured by the server (webmap/maps.py builds the configuration with folium).
// Offers come from the clusters API for the current viewport; nothing from the data is ever put into
// HTML strings: names and addresses go through textContent.

const L = window.L;

export function readConfig(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function categoryBadge(config, key) {
  const info = (config.categories && config.categories[key]) || { colour: "#4d4d4d", icon: null, letter: "?" };
  const badge = document.createElement("span");
  badge.className = "cat-icon";
  badge.setAttribute("aria-hidden", "true");
  if (/^#[0-9a-fA-F]{3,8}$/.test(info.colour || "")) badge.style.setProperty("--cat", info.colour);
  if (info.icon) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("focusable", "false");
    const use = document.createElementNS(SVG_NS, "use");
    use.setAttribute("href", config.iconSprite + "#" + info.icon);
    svg.appendChild(use);
    badge.appendChild(svg);
  } else {
    const letter = document.createElement("span");
    letter.className = "letter";
    letter.textContent = info.letter || "?";
    badge.appendChild(letter);
  }
  return badge;
}

export function categoryLabel(config, key) {
  const info = config.categories && config.categories[key];
  return info ? info.label : key;
}

export function offerIcon(config, key) {
  const wrap = document.createElement("span");
  wrap.appendChild(categoryBadge(config, key));
  return L.divIcon({ html: wrap, className: "offer-marker", iconSize: [30, 30], iconAnchor: [15, 15], popupAnchor: [0, -14] });
}

export function popupContent(config, props) {
  const box = document.createElement("div");
  box.className = "map-popup";
  box.setAttribute("dir", document.documentElement.dir || "ltr");
  const h = document.createElement("h3");
  if (config.detailUrl && props.id != null) {
    const a = document.createElement("a");
    a.href = config.detailUrl.replace("__ID__", encodeURIComponent(String(props.id)));
    a.textContent = props.name || "";
    h.appendChild(a);
  } else {
    h.textContent = props.name || "";
  }
  box.appendChild(h);
  const cat = document.createElement("p");
  cat.className = "category";
  cat.appendChild(categoryBadge(config, props.category));
  const label = document.createElement("span");
  label.textContent = categoryLabel(config, props.category);
  cat.appendChild(label);
  box.appendChild(cat);
  if (props.address) {
    const p = document.createElement("p");
    p.textContent = props.address;
    box.appendChild(p);
  }
  return box;
}

export function createMap(element, config) {
  element.textContent = "";
  element.setAttribute("dir", "ltr"); // tiles and controls are not mirrored; popups set their own direction
  const options = Object.assign({}, config.options || {});
  delete options.zoom;
  const map = L.map(element, options);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  L.tileLayer(config.tiles.url, config.tiles.options).addTo(map);
  const container = map.getContainer();
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", (config.labels && config.labels.mapRegion) || "Map");
  return map;
}

function markerFor(config, feature) {
  const [lon, lat] = feature.geometry.coordinates; // GeoJSON order is lon, lat
  const props = feature.properties || {};
  const marker = L.marker([lat, lon], {
    icon: offerIcon(config, props.category),
    title: (props.name || "") + " – " + categoryLabel(config, props.category),
    keyboard: true,
    riseOnHover: true,
  });
  marker.offerId = String(props.id);
  marker.bindPopup(() => popupContent(config, props), { autoPanPadding: [20, 20] });
  marker.on("add", () => {
    const el = marker.getElement();
    if (el) el.setAttribute("aria-label", marker.options.title);
  });
  return marker;
}

// One look for every group of offers, whether grouped in the browser or on the server.
function clusterIcon(count) {
  const size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 48 : 56;
  const label = document.createElement("span");
  label.className = "server-cluster";
  label.textContent = String(count);
  return L.divIcon({ html: label, className: "offer-marker", iconSize: [size, size] });
}

function clusterMarker(config, feature, map) {
  const [lon, lat] = feature.geometry.coordinates;
  const count = feature.properties.count;
  const title = count + " " + ((config.labels && config.labels.offers) || "offers") + " – " + ((config.labels && config.labels.zoomIn) || "");
  const marker = L.marker([lat, lon], {
    icon: clusterIcon(count),
    title, keyboard: true,
  });
  marker.on("add", () => { const el = marker.getElement(); if (el) el.setAttribute("aria-label", title); });
  marker.on("click", () => {
    const [w, s, e, n] = feature.properties.bbox;
    if (w === e && s === n) map.setView([s, w], Math.min(map.getZoom() + 3, map.getMaxZoom()));
    else map.fitBounds([[s, w], [n, e]], { padding: [30, 30], maxZoom: map.getMaxZoom() });
  });
  return marker;
}

// Keeps the map's offers in step with its viewport and the filters.
export class OfferLayer {
  constructor(map, config, { onRender, onPopup } = {}) {
    this.map = map;
    this.config = config;
    this.query = config.query || "";
    this.onRender = onRender || (() => {});
    this.onPopup = onPopup || (() => {});
    this.points = L.markerClusterGroup(Object.assign({}, config.cluster || {}, {
      iconCreateFunction: (cluster) => clusterIcon(cluster.getChildCount()),
    }));
    this.clusters = L.layerGroup();
    this.points.addTo(map);
    this.clusters.addTo(map);
    this.byId = new Map();
    this.loaded = null; // {bounds, zoom, query, mode}
    this.controller = null;
    this.renders = 0;
    this.points.on("popupopen", (e) => this.onPopup(e.propagatedFrom || e.layer || (e.popup && e.popup._source)));
    let timer = null;
    map.on("moveend", () => { clearTimeout(timer); timer = setTimeout(() => this.refresh(), 120); });
  }

  setQuery(query) {
    if (query === this.query) return Promise.resolve();
    this.query = query;
    return this.refresh(true);
  }

  covers(bounds, zoom) {
    const l = this.loaded;
    // Individual points stay valid while the view stays inside what was loaded under the same filters.
    return l && l.mode === "points" && l.query === this.query && l.bounds.contains(bounds) && zoom >= l.zoom;
  }

  async refresh(force = false) {
    const view = this.map.getBounds();
    const zoom = this.map.getZoom();
    if (!force && this.covers(view, zoom)) return;
    const bounds = view.pad(0.25);
    const bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(5)).join(",");
    const url = this.config.dataUrl + "?bbox=" + bbox + "&zoom=" + zoom + (this.query ? "&" + this.query : "");
    if (this.controller && this.pendingUrl === url) return; // the same answer is on its way
    if (this.controller) this.controller.abort();
    const controller = (this.controller = new AbortController());
    this.pendingUrl = url;
    let data;
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/geo+json, application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      data = await response.json();
    } catch (err) {
      if (err.name === "AbortError") return;
      document.body.dataset.mapError = String(err.message || err);
      return;
    }
    if (controller !== this.controller) return;
    this.controller = null;
    this.pendingUrl = null;
    this.render(data, bounds, zoom);
  }

  render(data, bounds, zoom) {
    this.points.clearLayers();
    this.clusters.clearLayers();
    this.byId.clear();
    if (data.mode === "points") {
      const markers = data.features.filter((f) => f.geometry).map((f) => markerFor(this.config, f));
      markers.forEach((m) => this.byId.set(m.offerId, m));
      this.points.addLayers(markers);
    } else {
      data.features.forEach((f) => this.clusters.addLayer(clusterMarker(this.config, f, this.map)));
    }
    this.loaded = { bounds, zoom, query: this.query, mode: data.mode };
    this.renders += 1;
    const body = document.body.dataset;
    body.mapMode = data.mode;
    body.mapTotal = String(data.total);
    body.mapFeatures = String(data.features.length);
    body.mapRenders = String(this.renders);
    if (this.renders === 1) body.mapReadyMs = performance.now().toFixed(0); // for scripts/bench_map.py
    body.mapReady = "1";
    this.onRender(data);
  }

  // Open the popup of one offer, loading its surroundings first when it is not on the map yet.
  async openOffer(id, lat, lon) {
    let marker = this.byId.get(String(id));
    if (!marker) {
      this.map.setView([lat, lon], Math.max(this.map.getZoom(), 16));
      await this.refresh(true);
      marker = this.byId.get(String(id));
    }
    if (!marker) return null;
    return new Promise((resolve) => {
      this.points.zoomToShowLayer(marker, () => { marker.openPopup(); resolve(marker); });
    });
  }
}

/**
 * Show the "use my location" button and, on a position, write it into the "near" field
 * and call onPosition(). The position stays in this browser until the visitor's search
 * sends it as "near" (the server never sees it otherwise).
 */
export function setupLocate(config, onPosition) {
  const button = document.getElementById("locate");
  const near = document.getElementById("f-near");
  const message = document.getElementById("locate-message");
  if (!button || !near || !message || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    message.hidden = false;
    message.textContent = (config.labels && config.labels.locating) || "";
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        near.value = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
        onPosition(message);
      },
      () => { message.textContent = (config.labels && config.labels.locateFailed) || ""; },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
}
