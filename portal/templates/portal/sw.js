/* Service worker of «Личный кабинет ДМС» (SPEC §3.9). Rendered by portal.views_pwa.
 *
 * Caches only (1) the app shell and (2) policy cards the user has viewed — responses the server
 * marks with X-Offline-Until. Every request goes to the network first; a cached copy is used only
 * when the network fails, so no stale shell is served once the network is back.
 * Cards are bound to the session: deleted on «Выход» (the logout POST passes through here), when
 * the session has expired, and when the session cookie tag no longer matches.
 */
"use strict";
const CONFIG = {{ config|safe }};
const SHELL_CACHE = CONFIG.shellPrefix + CONFIG.version;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, {cache: "reload"}))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  // A new release: drop every cache this version does not use (old shells, old card formats).
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((name) => name !== SHELL_CACHE && name !== CONFIG.cardsCache)
        .map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function purgeCards() {
  return caches.delete(CONFIG.cardsCache);
}

async function offlinePage() {
  const cached = await caches.match(CONFIG.offlineUrl, {cacheName: SHELL_CACHE});
  return cached || new Response("Нет подключения к интернету.", {
    status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"},
  });
}

async function sessionTagMatches(tag) {
  // cookieStore reaches the session's tag cookie from the worker (Chromium); a browser without it
  // relies on the expiry check and on the purge at «Выход» and on every anonymous page.
  if (!self.cookieStore) { return true; }
  const cookie = await self.cookieStore.get(CONFIG.cookie);
  return Boolean(cookie && tag && cookie.value === tag);
}

async function cachedCard(request) {
  const cache = await caches.open(CONFIG.cardsCache);
  const response = await cache.match(request.url, {ignoreVary: true});
  if (!response) { return null; }
  const until = Number(response.headers.get(CONFIG.headerUntil));
  const fresh = Number.isFinite(until) && Date.now() < until;
  if (!fresh || !(await sessionTagMatches(response.headers.get(CONFIG.headerTag)))) {
    await purgeCards();
    return null;
  }
  return response;
}

async function rememberIfCard(request, response) {
  if (response.ok && !response.redirected && response.headers.has(CONFIG.headerUntil)) {
    const cache = await caches.open(CONFIG.cardsCache);
    await cache.put(request.url, response.clone());
  } else if (response.redirected && new URL(response.url).pathname === CONFIG.loginPath) {
    // The session is gone (expired or ended elsewhere): its cards go with it.
    await purgeCards();
  }
  return response;
}

async function navigate(event) {
  try {
    const response = await fetch(event.request);
    return await rememberIfCard(event.request, response);
  } catch (error) {
    return (await cachedCard(event.request)) || offlinePage();
  }
}

async function shellAsset(request) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(SHELL_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(request, {cacheName: SHELL_CACHE});
    if (cached) { return cached; }
    throw error;
  }
}

async function logout(request) {
  await purgeCards();
  try {
    return await fetch(request);
  } catch (error) {
    return offlinePage();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === CONFIG.logoutPath) {
    event.respondWith(logout(request));
    return;
  }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
    return;
  }
  if (CONFIG.shell.includes(url.pathname)) {
    event.respondWith(shellAsset(request));
  }
  // Anything else (invoices, exports, PDFs, API calls) is left to the network, never cached.
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "card-viewed" && typeof data.url === "string") {
    // The first card a user opens may load before this worker controls the page: fetch it once
    // more (with the session cookie) so that it is cached too.
    const url = new URL(data.url, self.location.origin);
    if (url.origin !== self.location.origin) { return; }
    const request = new Request(url.href, {credentials: "same-origin"});
    event.waitUntil(fetch(request).then((response) => rememberIfCard(request, response)).catch(() => null));
  } else if (data.type === "purge-cards") {
    event.waitUntil(purgeCards());
  }
});
