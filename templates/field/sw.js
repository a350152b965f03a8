// The field app's service worker: keeps the page and its files so the app opens without signal.
// The page comes from the network when it answers well within 3 s (so it is fresh when there is
// signal) and from the cache otherwise; static files come from the cache, which is renewed
// whenever any of them changes (the version below is a hash of their contents). The API is never
// cached: the page keeps its data in IndexedDB and syncs itself.
"use strict";

const CACHE = "field-{{ version }}";
const SHELL = {{ shell|tojson }};
const PAGE = SHELL[0];
// The static files' URLs carry "?v=<hash>"; a request is matched by its path alone.
const SHELL_PATHS = SHELL.map((url) => new URL(url, self.location.origin).pathname);

// Each file is fetched and checked before it is kept: a login page that answered in place of
// the app (a lapsed session) or a portal page must never become the cached app. If any file
// fails, this worker is not installed and the one before keeps serving.
async function fillCache() {
  const cache = await caches.open(CACHE);
  for (const url of SHELL) {
    const response = await fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-cache" });
    if (!response.ok || response.type === "opaqueredirect") throw new Error(`${url}: ${response.status}`);
    await cache.put(url, response);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(fillCache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("field-") && key !== CACHE).map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

// The page from the network when it answers well and soon; otherwise (no signal, a weak one, a
// lapsed login, the server down) the kept page, since all the work is on the tablet anyway.
async function pageFirstFromNetwork(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(PAGE);
  const network = fetch(request).then(async (response) => {
    if (response.ok && response.type !== "opaqueredirect") {
      await cache.put(PAGE, response.clone());
      return response;
    }
    return cached || response;
  });
  if (!cached) return network;
  const slow = new Promise((resolve) => setTimeout(() => resolve(cached), 3000));
  return Promise.race([network.catch(() => cached), slow]);
}

async function fileFromCache(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(pageFirstFromNetwork(request));
  } else if (SHELL_PATHS.includes(url.pathname)) {
    event.respondWith(fileFromCache(request));
  }
});

// The page asks for the shell to be fetched again after "prepare for offline".
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "refresh-shell") {
    event.waitUntil(
      fillCache()
        .then(() => event.source && event.source.postMessage({ type: "shell-ready", count: SHELL.length }))
        .catch(() => event.source && event.source.postMessage({ type: "shell-failed" }))
    );
  }
});
