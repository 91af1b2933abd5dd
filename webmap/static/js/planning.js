// The planner's view, enhanced: the choropleth (district polygons coloured by the classes the server computed
// with mapclassify), the matching offers as points, and a table that sorts in place.
// Without this script the page works as it is: the table is the map's text alternative, and its column
// headings are links that sort on the server (?sort=). Nothing from the data goes into HTML strings.
import { createMap, readConfig } from "./map.js";

const config = readConfig("planning-config");
const mapElement = document.getElementById("map");
const table = document.getElementById("coverage-table");
const sortStatus = document.getElementById("sort-status");

// ---------------------------------------------------------------------------- the map

function districtStyle(id) {
  const classification = config.classification || {};
  const cls = (classification.districts || {})[id];
  if (cls === null || cls === undefined) return Object.assign({}, config.noDataStyle);
  return Object.assign({}, config.districtStyle, { fillColor: classification.colours[cls] });
}

function tooltipFor(id) {
  const box = document.createElement("div");
  box.setAttribute("dir", document.documentElement.dir || "ltr");
  const name = document.createElement("strong");
  name.textContent = (config.names || {})[id] || id;
  box.appendChild(name);
  box.appendChild(document.createElement("br"));
  const value = document.createElement("span");
  const text = (config.values || {})[id];
  value.textContent = text && text !== "–" ? text : (config.labels.noValue || "–");
  box.appendChild(value);
  return box;
}

function offerTooltip(props) {
  const box = document.createElement("div");
  box.setAttribute("dir", document.documentElement.dir || "ltr");
  const name = document.createElement("strong");
  name.textContent = props.name || "";
  box.appendChild(name);
  if (props.category_label) {
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(props.category_label));
  }
  return box;
}

async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(url + ": " + response.status);
  return response.json();
}

async function drawMap() {
  const L = window.L;
  const map = createMap(mapElement, config);
  map.fitBounds(config.bounds);
  const state = { map, districts: null, offers: null };
  window.angebotskartePlanning = state;
  let districts;
  let offers;
  try {
    [districts, offers] = await Promise.all([fetchJson(config.districtsUrl), fetchJson(config.offersUrl)]);
  } catch (err) {
    const note = document.createElement("p");
    note.className = "map-status";
    note.setAttribute("role", "alert");
    note.textContent = config.labels.loadFailed || "";
    mapElement.appendChild(note);
    document.body.dataset.mapReady = "error";
    return;
  }
  state.districts = L.geoJSON(districts, {
    style: (feature) => districtStyle(String(feature.properties.district_id)),
    onEachFeature: (feature, layer) => {
      const id = String(feature.properties.district_id);
      layer.districtId = id;
      layer.bindTooltip(() => tooltipFor(id), { sticky: true });
      layer.on("add", () => {
        const path = layer.getElement();
        if (!path) return;
        path.dataset.district = id;
        const cls = (config.classification.districts || {})[id];
        path.dataset.class = cls === null || cls === undefined ? "" : String(cls);
      });
    },
  }).addTo(map);
  state.offers = L.geoJSON(offers, {
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, Object.assign({}, config.offerStyle)),
    onEachFeature: (feature, layer) => {
      layer.bindTooltip(() => offerTooltip(feature.properties || {}));
      layer.on("add", () => { const el = layer.getElement(); if (el) el.classList.add("planning-offer"); });
    },
  }).addTo(map);
  const bounds = state.districts.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
  document.body.dataset.mapDistricts = String(state.districts.getLayers().length);
  document.body.dataset.mapOffers = String(state.offers.getLayers().length);
  if (offers.numberMatched > offers.numberReturned && config.labels.partialOffers) {
    // One answer holds a bounded number of offers ([api] max_planning_offers); say so rather than hide it.
    const lang = document.documentElement.lang || undefined;
    const note = document.createElement("p");
    note.className = "map-status";
    note.setAttribute("role", "status");
    note.textContent = config.labels.partialOffers
      .replace("{shown}", offers.numberReturned.toLocaleString(lang))
      .replace("{total}", offers.numberMatched.toLocaleString(lang));
    mapElement.after(note);
  }
  document.body.dataset.mapReady = "1";
}

// ---------------------------------------------------------------------------- the table

function cellValue(row, index, numeric) {
  const cell = row.cells[index];
  const raw = cell ? cell.dataset.value : "";
  if (!numeric) return raw || "";
  return raw === "" || raw === undefined ? NaN : Number(raw);
}

function compareRows(index, numeric, descending, collator) {
  return (a, b) => {
    const x = cellValue(a.row, index, numeric);
    const y = cellValue(b.row, index, numeric);
    if (numeric) {
      const xMissing = Number.isNaN(x);
      const yMissing = Number.isNaN(y);
      if (xMissing || yMissing) return xMissing === yMissing ? a.position - b.position : xMissing ? 1 : -1; // no value: last
      if (x !== y) return descending ? y - x : x - y;
      return a.position - b.position;
    }
    const order = collator.compare(x, y);
    if (order !== 0) return descending ? -order : order;
    return a.position - b.position;
  };
}

function updateUrl(sort) {
  const params = new URLSearchParams(location.search);
  params.set("sort", sort);
  history.replaceState(null, "", location.pathname + "?" + params.toString());
  for (const link of document.querySelectorAll(".languages a[hreflang]")) {
    const url = new URL(link.href, location.href);
    const next = new URLSearchParams(params);
    next.set("ui", url.searchParams.get("ui") || "");
    link.href = url.pathname + "?" + next.toString();
  }
}

function setIndicators(headers) {
  for (const th of headers) {
    const indicator = th.querySelector(".sort-indicator");
    if (!indicator) continue;
    const state = th.getAttribute("aria-sort");
    indicator.textContent = state === "ascending" ? " ▲" : state === "descending" ? " ▼" : "";
  }
}

function sortBy(th, headers) {
  const body = table.tBodies[0];
  const index = Array.prototype.indexOf.call(th.parentNode.children, th);
  const numeric = th.dataset.type === "number";
  const descending = th.getAttribute("aria-sort") === "ascending";
  const collator = new Intl.Collator(document.documentElement.lang || undefined, { sensitivity: "base", numeric: true });
  const rows = Array.from(body.rows).map((row, position) => ({ row, position }));
  rows.sort(compareRows(index, numeric, descending, collator));
  for (const { row } of rows) body.appendChild(row);
  for (const other of headers) other.removeAttribute("aria-sort");
  const state = descending ? "descending" : "ascending";
  th.setAttribute("aria-sort", state);
  setIndicators(headers);
  sortStatus.textContent = th.dataset[descending ? "sortedDescending" : "sortedAscending"] || "";
  updateUrl((descending ? "-" : "") + th.dataset.column);
  document.body.dataset.tableSorts = String(Number(document.body.dataset.tableSorts || 0) + 1);
}

function enhanceTable() {
  if (!table) return;
  const headers = Array.from(table.tHead.rows[0].cells);
  for (const th of headers) {
    const link = th.querySelector("a.sort-link");
    if (!link) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    button.textContent = link.textContent;
    const indicator = document.createElement("span");
    indicator.className = "sort-indicator";
    indicator.setAttribute("aria-hidden", "true");
    button.appendChild(indicator);
    link.replaceWith(button);
    button.addEventListener("click", () => sortBy(th, headers));
  }
  setIndicators(headers);
  document.body.dataset.tableEnhanced = "1";
}

enhanceTable();
if (config && mapElement && window.L) drawMap();
