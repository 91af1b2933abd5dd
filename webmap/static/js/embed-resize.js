/*
 * Angebotskarte resize script, served at /embed/resize.js (see docs/embed.md).
 *
 * Load it on a page that embeds the map with <iframe src="https://OUR-SERVER/embed?...">:
 *   <script src="https://OUR-SERVER/embed/resize.js" async></script>
 * The embedded map posts {type: "angebotskarte:resize", height: <pixels>} to its parent window.
 * This script accepts such messages only from the server it was loaded from, only for the iframe
 * that sent them, and then sets that iframe's height. It sets no cookies and sends nothing anywhere.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src, window.location.href).origin;
  var key = "angebotskarteResize:" + origin;
  if (window[key]) return; // loaded twice for the same server: one listener is enough
  window[key] = true;

  var MIN = 100;
  var MAX = 20000;

  function frames() {
    return document.getElementsByTagName("iframe");
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.type !== "angebotskarte:resize") return;
    var height = Math.ceil(Number(data.height));
    if (!isFinite(height) || height < MIN || height > MAX) return;
    var list = frames();
    for (var i = 0; i < list.length; i++) {
      if (list[i].contentWindow === event.source) {
        list[i].style.height = height + "px";
        list[i].setAttribute("height", String(height));
      }
    }
  });

  // Maps that loaded before this script: ask them for their height once more.
  function ask() {
    var list = frames();
    for (var i = 0; i < list.length; i++) {
      try {
        if (new URL(list[i].src, window.location.href).origin === origin && list[i].contentWindow) {
          list[i].contentWindow.postMessage({ type: "angebotskarte:measure" }, origin);
        }
      } catch (e) {
        // an iframe without a usable src: not ours
      }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ask);
  else ask();
})();
