// The kiosk's service worker (served as /kiosk/sw.js, scope /kiosk, a module worker): it keeps the
// player working through network loss, server restarts and reloads while offline.
//
// - The page and its files (player modules, theme, fonts, socket.io-client, emblem): network
//   first, with the last good copy when the server cannot be reached.
// - GET /kiosk/manifest: network first; offline, the last manifest, marked `X-Kiosk-Offline: 1`.
// - /media/<sha256> (immutable) and the QR images: cache first. The player posts the list after
//   each manifest; missing files are fetched one at a time (a poor line is not flooded) and files no
//   longer listed are dropped. A `Range` request for a cached file gets its slice as a 206.

import { rangeResponse } from './player/range.js';

const VERSION = 'v1';
const SHELL = `kiosk-shell-${VERSION}`;
const MEDIA = `kiosk-media-${VERSION}`;
const DATA = `kiosk-data-${VERSION}`;
const KEEP = new Set([SHELL, MEDIA, DATA]);
const MANIFEST_PATH = '/kiosk/manifest';
const PAGE_TIMEOUT_MS = 5000;
const FILE_TIMEOUT_MS = 4000;
const MANIFEST_TIMEOUT_MS = 15000;

// The player's own modules: cached at install, before any page asks (the first page load is not
// yet controlled by this worker, so its requests never pass through it).
const PLAYER_FILES = [
  'main.js', 'display.js', 'sync.js', 'report.js', 'offline.js', 'watchdog.js', 'theme.js', 'labels.js',
  'schedule.js', 'play_order.js', 'render.js', 'stage.js', 'player.js', 'playlist.js', 'paging.js', 'net.js', 'store.js',
  'clock.js', 'backoff.js', 'alerts.js', 'emergency.js', 'pairing.js', 'dom.js', 'range.js', 'preview.js',
].map((name) => `/kiosk/player/${name}`);

self.addEventListener('install', (event) => {
  event.waitUntil(cacheAll(SHELL, PLAYER_FILES).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (!KEEP.has(name)) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'cache') {
    event.waitUntil(Promise.all([keepManifest(data.manifest), syncCaches(data.shell || [], data.media || [])]));
  } else if (data.type === 'forget') {
    // The screen was revoked: nothing of the old kiosk may be played again.
    event.waitUntil(Promise.all([caches.delete(DATA), caches.delete(MEDIA)]));
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (request.mode === 'navigate' && path === '/kiosk') {
    event.respondWith(page(request));
  } else if (path === MANIFEST_PATH) {
    event.respondWith(manifest(request));
  } else if (path.startsWith('/media/')) {
    event.respondWith(media(request));
  } else if (path === '/kiosk/qr.svg') {
    event.respondWith(cacheFirst(request, MEDIA));
  } else if (path.startsWith('/vendor/')) {
    event.respondWith(cacheFirst(request, SHELL));
  } else if (/^\/(kiosk\/player\/|kiosk\/theme\/|static\/)/.test(path)) {
    event.respondWith(networkFirst(request, SHELL, FILE_TIMEOUT_MS));
  }
  // Everything else (pairing, the API, socket.io) goes to the network untouched.
});

// --- strategies ---------------------------------------------------------------------------------------

/** Fetches with a deadline; rejects when the network fails or is too slow. */
async function fetchWithin(request, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await fetch(request, { signal: controller.signal, cache: 'no-cache' });
  } finally {
    clearTimeout(timer);
  }
}

/** The player page: fresh from the server, else the copy for this theme, else any theme's copy. */
async function page(request) {
  const cache = await caches.open(SHELL);
  const key = pageKey(request.url);
  try {
    // A navigation request cannot be re-issued with options: fetch its URL afresh.
    const response = await fetchWithin(request.url, PAGE_TIMEOUT_MS);
    if (response.ok && !response.redirected) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = (await cache.match(key)) || (await cache.match(key, { ignoreSearch: true }));
    if (cached) return cached;
    throw error;
  }
}

/** Returns the cache key of a player page: its URL without fragment, with only `theme` kept. */
function pageKey(href) {
  const url = new URL(href);
  const theme = url.searchParams.get('theme');
  return `${url.origin}/kiosk${theme ? `?theme=${encodeURIComponent(theme)}` : ''}`;
}

async function networkFirst(request, cacheName, timeoutMs) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetchWithin(request, timeoutMs);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.status === 200) await cache.put(request, response.clone());
  return response;
}

async function manifest(request) {
  const cache = await caches.open(DATA);
  try {
    const response = await fetchWithin(request, MANIFEST_TIMEOUT_MS);
    if (response.status === 200) await cache.put(MANIFEST_PATH, response.clone());
    else if (response.status === 401) await cache.delete(MANIFEST_PATH);
    return response;
  } catch {
    const cached = await cache.match(MANIFEST_PATH);
    if (!cached) {
      return new Response(JSON.stringify({ error: { code: 'offline', message: 'Không kết nối được máy chủ.' } }), {
        status: 503, headers: { 'Content-Type': 'application/json', 'X-Kiosk-Offline': '1' },
      });
    }
    const headers = new Headers(cached.headers);
    headers.set('X-Kiosk-Offline', '1');
    headers.delete('Date'); // an old Date must not be taken for the server's clock
    return new Response(cached.body, { status: 200, headers });
  }
}

/**
 * Stores the manifest the player is playing as the offline answer to GET /kiosk/manifest. The
 * player posts it: the first page load is not controlled by this worker and a 304 carries no body,
 * so the worker cannot count on seeing a 200 go by.
 */
async function keepManifest(held) {
  if (!held || typeof held.body !== 'string') return;
  const headers = { 'Content-Type': 'application/json' };
  if (held.etag) headers.ETag = held.etag;
  const cache = await caches.open(DATA);
  await cache.put(MANIFEST_PATH, new Response(held.body, { status: 200, headers }));
}

/** Media files never change (named by sha256): from the cache, sliced for Range requests. */
async function media(request) {
  const cache = await caches.open(MEDIA);
  const cached = await cache.match(request.url, { ignoreVary: true });
  if (cached) return rangeResponse(request, cached);
  return fetch(request);
}

// --- keeping the caches in line with the manifest -----------------------------------------------------

let wanted = null;
let syncing = null;

/** Caches the shell files and exactly the listed media (the newest list wins if several arrive). */
function syncCaches(shell, mediaUrls) {
  wanted = { shell, media: mediaUrls };
  if (!syncing) {
    syncing = (async () => {
      try {
        while (wanted) {
          const job = wanted;
          wanted = null;
          await cacheAll(SHELL, await withFontFiles(job.shell), { refresh: true });
          await syncMedia(job.media, () => wanted !== null);
        }
      } finally {
        syncing = null;
      }
    })();
  }
  return syncing;
}

async function cacheAll(cacheName, urls, { refresh = false } = {}) {
  const cache = await caches.open(cacheName);
  for (const url of urls) {
    try {
      if (!refresh && (await cache.match(url))) continue;
      if (refresh && url.includes('/vendor/') && (await cache.match(url))) continue; // pinned versions
      const response = await fetch(url, { cache: 'no-cache' });
      if (response.ok) await cache.put(pathKey(url), response);
    } catch {
      // offline: keep what we have
    }
  }
}

function pathKey(url) {
  const absolute = new URL(url, self.location.origin);
  return absolute.pathname === '/kiosk' ? pageKey(absolute.href) : absolute.href;
}

/** Adds the font files (woff2) that the listed font stylesheets point to. */
async function withFontFiles(urls) {
  const all = new Set(urls);
  for (const url of urls) {
    if (!/\/vendor\/be-vietnam-pro\/[^/]+\.css$/.test(new URL(url, self.location.origin).pathname)) continue;
    try {
      const response = (await caches.match(url)) || (await fetch(url));
      const css = await response.clone().text();
      for (const match of css.matchAll(/url\(([^)]+\.woff2)\)/g)) {
        all.add(new URL(match[1].replace(/["']/g, ''), new URL(url, self.location.origin)).href);
      }
    } catch {
      // offline: the fonts come next time
    }
  }
  return [...all];
}

async function syncMedia(urls, superseded) {
  const cache = await caches.open(MEDIA);
  const keep = new Set(urls.map((url) => new URL(url, self.location.origin).href));
  for (const request of await cache.keys()) if (!keep.has(request.url)) await cache.delete(request);
  for (const url of keep) {
    if (superseded()) return;
    if (await cache.match(url)) continue;
    try {
      const response = await fetch(url, { cache: 'no-store' });
      if (response.status === 200) await cache.put(url, response);
    } catch {
      // offline or gone: tried again with the next list
    }
  }
}
