// The embed-code generator (/embed/code), enhanced: code and preview follow every change at once, and
// "Copy the code" copies it. The snippet itself is always made by the server (?partial=snippet), so the
// page without JavaScript and with it give exactly the same code.
const form = document.getElementById("embed-options");
const snippet = document.getElementById("snippet");
const preview = document.getElementById("preview");
const total = document.getElementById("code-total");
const copy = document.getElementById("copy");
const copyStatus = document.getElementById("copy-status");
const title = document.getElementById("c-title");

function params() {
  const values = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (String(value).trim() !== "") values.append(key, String(value).trim());
  }
  return values;
}

let timer = null;
let pending = null;
let lastIframe = preview ? preview.innerHTML.trim() : "";

async function update() {
  const query = params();
  if (pending) pending.abort();
  const controller = (pending = new AbortController());
  let data;
  try {
    const response = await fetch(form.action + "?" + query.toString() + "&partial=snippet", { signal: controller.signal });
    if (!response.ok) throw new Error("HTTP " + response.status);
    data = await response.json();
  } catch (err) {
    if (err.name !== "AbortError") document.body.dataset.codeError = String(err.message || err);
    return;
  }
  if (controller !== pending) return;
  pending = null;
  snippet.value = data.snippet;
  if (title) title.placeholder = data.title;
  if (total) total.textContent = data.totalText;
  if (data.iframe !== lastIframe) {
    preview.innerHTML = data.iframe; // the server's escaped markup: the very iframe of the snippet
    lastIframe = data.iframe;
  }
  history.replaceState(null, "", data.url);
  for (const link of document.querySelectorAll(".languages a[hreflang]")) {
    const url = new URL(link.href, location.href);
    const next = new URL(data.url, location.href).searchParams;
    next.set("ui", url.searchParams.get("ui"));
    link.href = url.pathname + "?" + next.toString();
  }
  document.body.dataset.codeUpdates = String(Number(document.body.dataset.codeUpdates || 0) + 1);
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(update, delay);
}

form.addEventListener("change", () => schedule(50));
form.addEventListener("input", (event) => {
  if (event.target.matches("input[type=text], input[type=number]")) schedule(400);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  schedule(0);
});

async function copySnippet() {
  let done = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(snippet.value);
      done = true;
    }
  } catch (err) {
    done = false;
  }
  if (!done) {
    snippet.focus();
    snippet.select();
    try {
      done = document.execCommand("copy");
    } catch (err) {
      done = false;
    }
  }
  copyStatus.textContent = done ? copy.dataset.done : copy.dataset.manual;
}

if (copy) {
  copy.hidden = false;
  copy.addEventListener("click", copySnippet);
}
snippet.addEventListener("focus", () => snippet.select());
document.body.dataset.enhanced = "1";
