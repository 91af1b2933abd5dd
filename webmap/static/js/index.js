// The list page, enhanced: filters update the list and the map in place and keep the URL in sync.
// Without this script the page works as a plain GET form.
import { createMap, OfferLayer, readConfig, setupLocate } from "./map.js";

const form = document.getElementById("filters");
const statusBox = document.getElementById("status");
const config = readConfig("map-config");
const mapElement = document.getElementById("map");
let layer = null;
let map = null;
let hereMarker = null;

function results() {
  return document.getElementById("results");
}

function formParams() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (String(value).trim() !== "") params.append(key, String(value).trim());
  }
  return params;
}

function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
}

function updateFacets(facets) {
  for (const input of form.querySelectorAll("input[data-facet]")) {
    const counts = facets[input.dataset.facet] || {};
    const count = counts[input.value] || 0;
    const item = input.closest("li");
    const countNode = item.querySelector(".count");
    if (countNode) countNode.textContent = "(" + count + ")";
    item.hidden = count === 0 && !input.checked;
  }
  for (const details of form.querySelectorAll("details.facet")) {
    const chosen = details.querySelectorAll("input:checked").length;
    const marker = details.querySelector(".selected-count");
    if (marker) marker.textContent = chosen ? "(" + chosen + ")" : "";
  }
}

function updateLanguageLinks(params) {
  for (const link of document.querySelectorAll(".languages a[hreflang]")) {
    const url = new URL(link.href, location.href);
    const code = url.searchParams.get("ui");
    const next = new URLSearchParams(params);
    next.set("ui", code);
    url.search = next.toString();
    link.href = url.pathname + url.search;
  }
}

function showHere(section) {
  if (!map) return;
  const near = section.dataset.near;
  if (hereMarker) { hereMarker.remove(); hereMarker = null; }
  if (!near) return;
  const [lat, lon] = near.split(",").map(Number);
  hereMarker = window.L.marker([lat, lon], {
    icon: window.L.divIcon({ html: "<span></span>", className: "here-marker", iconSize: [26, 26] }),
    keyboard: false, title: (config.here && config.here.label) || "", interactive: false,
  }).addTo(map);
  map.setView([lat, lon], Math.max(map.getZoom(), 14));
}

let pending = null;
async function update({ resetOffset = true } = {}) {
  const params = formParams();
  if (!resetOffset) {
    const offset = new URLSearchParams(location.search).get("offset");
    if (offset) params.set("offset", offset);
  }
  history.replaceState(null, "", location.pathname + "?" + params.toString());
  updateLanguageLinks(params);
  if (pending) pending.abort();
  const controller = (pending = new AbortController());
  statusBox.textContent = (config.labels && config.labels.loading) || "";
  document.body.dataset.listBusy = "1";
  let html;
  try {
    const response = await fetch(location.pathname + "?" + params.toString() + "&partial=results", { signal: controller.signal });
    html = await response.text();
  } catch (err) {
    if (err.name === "AbortError") return;
    form.submit(); // fall back to an ordinary page load
    return;
  }
  if (controller !== pending) return;
  const holder = document.createElement("div");
  holder.innerHTML = html; // our own server-rendered, escaped HTML
  const fresh = holder.querySelector("#results");
  if (!fresh) { form.submit(); return; }
  const old = results();
  old.replaceWith(fresh);
  enhanceResults(fresh);
  updateFacets(JSON.parse(fresh.dataset.facets || "{}"));
  const heading = fresh.querySelector("h2");
  statusBox.textContent = heading ? heading.textContent : "";
  document.title = (heading ? heading.textContent + " – " : "") + document.title.replace(/^.* – /, "");
  delete document.body.dataset.listBusy;
  document.body.dataset.listUpdates = String(Number(document.body.dataset.listUpdates || 0) + 1);
  if (layer) {
    showHere(fresh);
    await layer.setQuery(fresh.dataset.mapQuery || "");
  }
}

function highlight(id) {
  for (const item of document.querySelectorAll(".offer.highlight")) item.classList.remove("highlight");
  const item = results().querySelector('.offer[data-offer-id="' + cssEscape(id) + '"]');
  if (!item) return;
  item.classList.add("highlight");
  if (window.matchMedia("(min-width: 900px)").matches) item.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

function enhanceResults(section) {
  if (!layer) return;
  for (const button of section.querySelectorAll(".show-on-map")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const item = button.closest(".offer");
      if (!window.matchMedia("(min-width: 900px)").matches) mapElement.scrollIntoView({ block: "center" });
      const marker = await layer.openOffer(item.dataset.offerId, Number(item.dataset.lat), Number(item.dataset.lon));
      const link = marker && marker.getPopup() && marker.getPopup().getElement() && marker.getPopup().getElement().querySelector("a");
      if (link) link.focus();
    });
  }
}

function setup() {
  if (mapElement && config && window.L) {
    map = createMap(mapElement, config);
    map.fitBounds(config.bounds);
    layer = new OfferLayer(map, config, { onPopup: (marker) => marker && highlight(marker.offerId) });
    layer.refresh(true);
    showHere(results());
  }
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type=checkbox]")) update();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
  enhanceResults(results());
  setupLocate(config, (message) => {
    message.hidden = true;
    message.textContent = "";
    update();
  });
  // For tests and the benchmark: the map and its offer layer (no data beyond what the page shows).
  window.angebotskarte = { map, layer };
  document.body.dataset.enhanced = "1";
}

setup();
