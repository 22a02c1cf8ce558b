// The offline cache: registers the service worker (sw.js) and tells it what to keep (this page and
// its files, the manifest, every media file and QR code the manifest names) or to forget the kiosk.

const SW_UPDATE_MS = 3600000;

/** Registers the service worker at `swUrl` (scope /kiosk) and asks for persistent storage. */
export function registerServiceWorker(swUrl) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(swUrl, { scope: '/kiosk', type: 'module' })
    .then((registration) => {
      // The page runs for weeks without navigating: look for a new worker now and then.
      setInterval(() => registration.update().catch(() => {}), SW_UPDATE_MS);
      return navigator.storage?.persist?.();
    })
    .catch((error) => console.warn('kiosk: no service worker', error));
}

function postToWorker(message) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.active?.postMessage(message))
    .catch(() => {});
}

/** Tells the service worker to drop everything of the old kiosk (its token was revoked). */
export function forgetOfflineCopy() {
  postToWorker({ type: 'forget' });
}

/** Tells the service worker what to keep: this page and its files, and every media file and QR code of the manifest. */
export function cacheForOffline(manifest, etag, settings) {
  const media = new Set();
  const qrs = new Set(Object.values(manifest.qr_images || {})); // the signed QR image addresses
  // A playlist's media items play as items too: they must be there offline like a notice's media.
  const entries = [...(manifest.items || []), ...(manifest.playlists || []).flatMap((p) => p.items || [])];
  for (const item of entries) {
    for (const m of item.media || []) {
      if (m.url) media.add(m.url);
      if (m.poster_url) media.add(m.poster_url);
    }
  }
  const loaded = performance.getEntriesByType('resource').map((entry) => entry.name);
  const shell = [
    location.pathname + location.search,
    settings.themeCssUrl, settings.emblemUrl, settings.socketioUrl, ...settings.fontCssUrls,
    ...loaded.filter(isShellUrl),
  ].filter(Boolean);
  postToWorker({
    type: 'cache',
    shell: [...new Set(shell)],
    media: [...media, ...qrs],
    manifest: { body: JSON.stringify(manifest), etag },
  });
}

function isShellUrl(url) {
  const u = new URL(url, location.href);
  if (u.origin !== location.origin) return false;
  return /^\/(kiosk\/player\/|kiosk\/theme\/|vendor\/|static\/)/.test(u.pathname);
}
