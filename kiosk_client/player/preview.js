// The officer's preview (/kiosk/preview, framed by the notice and playlist editors): the real theme and player,
// fed a manifest by the editor page through postMessage. It is only wiring of display.js: no token,
// no live connection, no service worker, no heartbeats, play records or acknowledgements.
//
// Messages are taken only from the page that frames this one, and only from the same origin.

import { Display, fontsReady } from './display.js';
import { applyThemeColors, pageSettings } from './render.js';
import { MemoryStorage, Store } from './store.js';

export const READY = 'kiosk-preview:ready';
export const MANIFEST = 'kiosk-preview:manifest';

/**
 * Returns `manifest` with every item id made new for revision `n`, so the player cuts the item on
 * screen and shows the edited one at once instead of letting the old text finish its turn.
 */
export function freshItems(manifest, n) {
  const fresh = (id) => `${id}~${n}`;
  return {
    ...manifest,
    items: (manifest.items || []).map((item) => ({ ...item, id: fresh(item.id) })),
    // A playlist names its items by id: they are renamed alike, so its order still holds.
    playlists: (manifest.playlists || []).map((playlist) => ({
      ...playlist,
      entries: (playlist.entries || []).map((e) => (e.notice != null ? { ...e, notice: fresh(e.notice) } : { ...e, id: fresh(e.id) })),
      items: (playlist.items || []).map((item) => ({ ...item, id: fresh(item.id) })),
    })),
  };
}

async function boot() {
  const settings = pageSettings();
  applyThemeColors(settings.colors);
  const display = new Display({ store: new Store(new MemoryStorage()), now: () => Date.now(), emblemUrl: settings.emblemUrl });
  await fontsReady();
  display.start();
  display.showIdle('Đang tải nội dung…');
  const tick = () => display.tick(Date.now());
  tick();
  setInterval(tick, 1000);
  let revision = 0;
  window.addEventListener('message', (event) => {
    if (event.origin !== location.origin || event.source !== window.parent || window.parent === window) return;
    const data = event.data;
    if (data?.type !== MANIFEST || !Array.isArray(data.manifest?.items)) return;
    display.show(freshItems(data.manifest, ++revision));
    document.body.dataset.previewRevision = String(revision);
  });
  if (window.parent !== window) window.parent.postMessage({ type: READY }, location.origin);
}

if (typeof document !== 'undefined') {
  boot().catch((error) => console.error('kiosk preview: boot failed', error));
}
