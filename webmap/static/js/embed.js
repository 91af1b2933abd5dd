// The embedded map (/embed and /embed/angebote/<id>), enhanced. Without this script the frame is a list.
//
// * the map: the same map.js as the map page, configured by the server (webmap/embed/page.py);
// * links in map popups open as [embed] link_target / links= says (new tab or inside the frame);
// * the page tells its parent window how tall it is, so /embed/resize.js on the host page can fit the
//   iframe to it: {type: "angebotskarte:resize", height}. The height is not sensitive, hence "*".
import { createMap, OfferLayer, readConfig, setupLocate } from "./map.js";

document.documentElement.classList.remove("no-js");

const config = readConfig("map-config") || {};
const MESSAGE = config.resizeMessage || "angebotskarte:resize";
const framed = window.parent && window.parent !== window;

function setTarget(link, target) {
  link.target = target;
  if (target === "_blank") link.rel = "noopener";
}

function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
}

// ------------------------------------------------------------------ the map of offers

function setupMap() {
  const element = document.getElementById("map");
  if (!element || config.kind !== "offers" || !window.L) return;
  const map = createMap(element, config);
  map.fitBounds(config.bounds);
  const view = config.view;
  if (view && view.center) map.setView(view.center, view.zoom == null ? map.getZoom() : view.zoom);
  else if (view && view.zoom != null) map.setZoom(view.zoom);
  const layer = new OfferLayer(map, config, { onPopup: (marker) => marker && highlight(marker.offerId) });
  map.on("popupopen", (event) => {
    const box = event.popup.getElement();
    if (box) box.querySelectorAll(".map-popup a[href]").forEach((a) => setTarget(a, config.linkTarget || "_blank"));
  });
  if (config.here) {
    window.L.marker([config.here.lat, config.here.lon], {
      icon: window.L.divIcon({ html: "<span></span>", className: "here-marker", iconSize: [26, 26] }),
      keyboard: false, title: config.here.label || "", interactive: false,
    }).addTo(map);
  }
  layer.refresh(true);
  for (const button of document.querySelectorAll(".show-on-map")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const item = button.closest(".offer");
      element.scrollIntoView({ block: "nearest" });
      const marker = await layer.openOffer(item.dataset.offerId, Number(item.dataset.lat), Number(item.dataset.lon));
      const link = marker && marker.getPopup() && marker.getPopup().getElement() && marker.getPopup().getElement().querySelector("a");
      if (link) link.focus();
    });
  }
  // Map only: the list stays one click away, folded.
  const toggle = document.getElementById("list-toggle");
  if (toggle && config.list === "none") toggle.open = false;
  // The map's box changes with the frame and with the folded list: Leaflet must measure it again.
  if ("ResizeObserver" in window) new ResizeObserver(() => map.invalidateSize()).observe(element);
  window.angebotskarte = { map, layer };
}

function highlight(id) {
  for (const item of document.querySelectorAll(".offer.highlight")) item.classList.remove("highlight");
  const item = document.querySelector('.offer[data-offer-id="' + cssEscape(id) + '"]');
  if (item) {
    item.classList.add("highlight");
    item.scrollIntoView({ block: "nearest" });
  }
}

// ------------------------------------------------------------------ "use my location"

// ------------------------------------------------------------------ telling the parent our height

let lastHeight = 0;

function contentHeight() {
  const root = document.documentElement;
  // Where the page fills its frame (list beside the map, map only) this is the frame's own height,
  // so the frame keeps its size; with the list below the map it is the length of the list.
  return Math.ceil(Math.max(document.body.getBoundingClientRect().height, root.getBoundingClientRect().height));
}

function postHeight(force = false) {
  if (!framed) return;
  const height = contentHeight();
  if (!force && height === lastHeight) return;
  lastHeight = height;
  window.parent.postMessage({ type: MESSAGE, height }, "*");
  document.body.dataset.postedHeight = String(height);
}

function setupResize() {
  if (!framed) return;
  if ("ResizeObserver" in window) new ResizeObserver(() => postHeight()).observe(document.body);
  window.addEventListener("load", () => postHeight());
  window.addEventListener("resize", () => postHeight());
  // resize.js asks once it has loaded, in case our first message came before it listened.
  window.addEventListener("message", (event) => {
    if (event.source === window.parent && event.data && event.data.type === "angebotskarte:measure") postHeight(true);
  });
  postHeight(true);
}

setupMap();
if (document.getElementById("filters")) setupLocate(config, () => document.getElementById("filters").submit());
setupResize();
document.body.dataset.enhanced = "1";
