// The kiosk player's entry point: pairing or playing, the manifest, the live connection, the
// offline cache and the watchdog. The page is the pairing screen while the browser holds no kiosk
// token, and the player after (CONTRACT.md, "Kiosk player").

import { Backoff } from './backoff.js';
import { clockSkew } from './clock.js';
import { byId, rememberQrImages } from './dom.js';
import { AlertBoard } from './emergency.js';
import { fetchManifest, KioskSocket } from './net.js';
import { Pairing } from './pairing.js';
import { Player } from './player.js';
import {
  applyThemeColors, pageSettings, renderClock, renderHeader, setMode, setOffline, showIdentify,
} from './render.js';
import { Stage } from './stage.js';
import { KEYS, MemoryStorage, Store } from './store.js';

const HEARTBEAT_MS = 30000;
const PLAYED_FLUSH_MS = 60000;
const PLAYED_BATCH = 20;
const PLAYED_SEND_MAX = 200;
const OFFLINE_GRACE_MS = 3000;
const WATCHDOG_MIN_MS = 120000;
const FRAME_STALL_MS = 60000;
const THEME_SWITCH_KEY = 'kiosk.themeSwitch';
const SW_UPDATE_MS = 3600000;

const settings = pageSettings();
const store = new Store(usableStorage());
const bootMs = Date.now();
let skewMs = 0;
const now = () => Date.now() + skewMs;

const state = {
  token: null,
  manifest: null,
  etag: null,
  player: null,
  stage: null,
  socket: null,
  alerts: null,
  pairing: null,
  lastProgress: Date.now(),
  lastFrame: Date.now(),
  manifestInFlight: null,
  manifestAgain: false,
  manifestRetry: null,
  manifestBackoff: new Backoff(),
  socketBackoff: new Backoff(),
  flushing: false,
};

function usableStorage() {
  try {
    const probe = '__kiosk_probe__';
    localStorage.setItem(probe, '1');
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    console.warn('kiosk: localStorage unavailable, nothing survives a reload');
    return new MemoryStorage();
  }
}

// --- boot -------------------------------------------------------------------------------------------

async function boot() {
  applyThemeColors(settings.colors);
  installErrorHandlers();
  registerServiceWorker();
  startClock();
  setInterval(heartbeat, HEARTBEAT_MS);
  setInterval(flushPlayed, PLAYED_FLUSH_MS);
  window.addEventListener('resize', () => state.stage?.prunePages());
  const fromFragment = tokenFromFragment();
  if (fromFragment) {
    if (fromFragment !== store.get(KEYS.token)) store.forgetKiosk();
    store.set(KEYS.token, fromFragment);
  }
  await fontsReady();
  const token = store.get(KEYS.token);
  if (token) startPlayer(token);
  else startPairing();
}

/** Returns the token of a `/kiosk#token=kt_…` link (then removes it from the address), or null. */
function tokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', location.pathname + location.search);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

/** Waits for the web fonts (pages are measured in them), at most a few seconds. */
function fontsReady() {
  if (!document.fonts?.ready) return Promise.resolve();
  const loads = ['400', '700'].map((weight) => document.fonts.load(`${weight} 32px "Be Vietnam Pro"`, 'Thông báo Ủy ban'));
  return Promise.race([
    Promise.all([document.fonts.ready, ...loads]).catch(() => {}),
    new Promise((resolve) => setTimeout(resolve, 4000)),
  ]);
}

function startClock() {
  const tick = () => {
    const nowMs = now();
    renderClock(nowMs, state.manifest?.lunar);
    state.alerts?.render();
    if (state.player && !state.player.currentItemId) state.lastProgress = Date.now();
    watchdog();
  };
  tick();
  setInterval(tick, 1000);
  const frame = () => {
    state.lastFrame = Date.now();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

// --- pairing ----------------------------------------------------------------------------------------

function startPairing() {
  setMode('pairing');
  state.pairing = new Pairing(store, (token) => {
    state.pairing = null;
    startPlayer(token);
  });
  state.pairing.start();
}

/** The server no longer knows this screen's token: forget it and pair again. */
function backToPairing() {
  console.warn('kiosk: token refused, back to pairing');
  state.socket?.close();
  state.socket = null;
  state.player?.stop();
  state.player = null;
  state.alerts?.clear();
  state.alerts = null;
  state.manifest = null;
  state.etag = null;
  state.token = null;
  clearTimeout(state.manifestRetry);
  store.forgetKiosk();
  postToWorker({ type: 'forget' });
  setOffline(false);
  startPairing();
}

// --- playing -----------------------------------------------------------------------------------------

function startPlayer(token) {
  state.token = token;
  setMode('playing');
  const main = byId('main');
  main.replaceChildren();
  state.stage = new Stage(main, { onProgress: () => { state.lastProgress = Date.now(); } });
  state.player = new Player({
    stage: state.stage,
    emblemUrl: settings.emblemUrl,
    now,
    onPlayed: recordPlayed,
    onProgress: () => { state.lastProgress = Date.now(); },
  });
  state.alerts = new AlertBoard({
    store,
    now,
    ack: (id) => state.socket?.emit('alert_ack', { id }) ?? false,
    onChange: (active) => state.stage?.setMuted(active),
  });
  state.player.suppressPlayed = () => state.alerts?.active ?? false;
  const held = store.getJSON(KEYS.manifest, null);
  if (held?.manifest) {
    state.etag = held.etag || null;
    adoptManifest(held.manifest);
  } else {
    state.player.showIdle('Đang tải nội dung…');
  }
  state.alerts.render();
  refreshManifest();
  connect();
  setTimeout(() => {
    if (state.socket && !state.socket.connected) setOffline(true);
  }, OFFLINE_GRACE_MS);
}

function adoptManifest(manifest) {
  if (switchTheme(manifest?.kiosk?.theme)) return;
  state.manifest = manifest;
  rememberQrImages(manifest.qr_images);
  renderHeader(manifest);
  renderClock(now(), manifest.lunar);
  state.alerts?.fromManifest(manifest);
  state.player?.setManifest(manifest);
  cacheForOffline(manifest);
}

/** Navigates to the kiosk's theme when the page shows another one; returns true if it does. */
function switchTheme(theme) {
  if (!theme || theme === settings.theme || !/^[a-z0-9][a-z0-9_-]{0,39}$/.test(theme)) return false;
  // The server falls back to the default theme for an unknown name: ask once an hour at most,
  // or a screen would reload forever.
  const last = sessionStorage.getItem(THEME_SWITCH_KEY);
  const [lastTheme, at] = (last || '').split('@');
  if (lastTheme === theme && Date.now() - Number(at) < 3600000) return false;
  sessionStorage.setItem(THEME_SWITCH_KEY, `${theme}@${Date.now()}`);
  location.replace(`/kiosk?theme=${encodeURIComponent(theme)}`);
  return true;
}

/** Fetches the manifest (one request at a time; asked again meanwhile, it fetches once more after). */
async function refreshManifest() {
  if (!state.token) return;
  if (state.manifestInFlight) {
    state.manifestAgain = true;
    return;
  }
  clearTimeout(state.manifestRetry);
  const token = state.token;
  state.manifestInFlight = fetchManifest(token, state.manifest ? state.etag : null);
  let result;
  try {
    result = await state.manifestInFlight;
  } finally {
    state.manifestInFlight = null;
  }
  if (token !== state.token) return;
  if (result.date) skewMs = clockSkew(result.date, Date.now());
  if (result.status === 'unauthorized') {
    backToPairing();
    return;
  }
  if (result.status === 'ok') {
    state.manifestBackoff.reset();
    state.etag = result.etag;
    store.setJSON(KEYS.manifest, { etag: result.etag, manifest: result.manifest });
    adoptManifest(result.manifest);
  } else if (result.status === 'unchanged') {
    state.manifestBackoff.reset();
  } else {
    if (result.status === 'cached' && !state.manifest) adoptManifest(result.manifest);
    state.manifestRetry = setTimeout(refreshManifest, state.manifestBackoff.next());
  }
  if (state.manifestAgain) {
    state.manifestAgain = false;
    refreshManifest();
  }
}

// --- live connection ---------------------------------------------------------------------------------

async function connect() {
  const socket = new KioskSocket({
    url: settings.socketioUrl,
    token: state.token,
    onConnect: () => {
      state.socketBackoff.reset();
      setOffline(false);
      socket.emit('hello', { version: state.manifest?.version ?? 0 });
      heartbeat();
      state.alerts?.flushAcks();
      flushPlayed();
    },
    onDisconnect: () => setOffline(true),
    onRefused: () => checkTokenThenReconnect(socket),
    onEvent: handleEvent,
  });
  state.socket = socket;
  if (!(await socket.start()) && state.socket === socket) {
    // socket.io-client itself could not be loaded (offline, not yet cached): try again later.
    setOffline(true);
    state.socket = null;
    setTimeout(() => {
      if (state.token && !state.socket) connect();
    }, state.socketBackoff.next());
  }
}

/** The server refused or dropped the socket: a revoked token goes back to pairing, anything else retries. */
async function checkTokenThenReconnect(socket) {
  await refreshManifest();
  if (state.socket !== socket || !state.token) return;
  setTimeout(() => socket.reconnect(), state.socketBackoff.next());
}

function handleEvent(name, data) {
  try {
    if (name === 'manifest') {
      if (data?.version !== state.manifest?.version) refreshManifest();
    } else if (name === 'alert') {
      state.alerts?.received(data);
    } else if (name === 'alert_cancel') {
      if (data?.id != null) state.alerts?.cancelled(data.id);
    } else if (name === 'command') {
      if (data?.name === 'reload') location.reload();
      else if (data?.name === 'identify') {
        showIdentify(state.manifest?.kiosk?.name, state.manifest?.kiosk?.unit?.name);
      }
    }
  } catch (error) {
    console.error('kiosk: event failed', name, error);
  }
}

function heartbeat() {
  state.socket?.emit('heartbeat', {
    version: state.manifest?.version ?? 0,
    current_item: state.player?.currentItemId ?? null,
    uptime_s: Math.round((Date.now() - bootMs) / 1000),
  });
}

function recordPlayed(entry) {
  if (store.queuePlayed([entry]) >= PLAYED_BATCH) flushPlayed();
}

/** Sends the queued play records, oldest first; they leave the queue only once the server acknowledged them. */
async function flushPlayed() {
  if (state.flushing || !state.socket?.connected) return;
  state.flushing = true;
  try {
    for (;;) {
      const batch = store.peekPlayed(PLAYED_SEND_MAX);
      if (!batch.length) break;
      if (!(await state.socket?.emitWithAck('played', batch))) break;
      store.dropPlayed(batch.length);
    }
  } finally {
    state.flushing = false;
  }
}

// --- offline cache ----------------------------------------------------------------------------------

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register(settings.swUrl, { scope: '/kiosk', type: 'module' })
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

/** Tells the service worker what to keep: this page and its files, and every media file and QR code of the manifest. */
function cacheForOffline(manifest) {
  const media = new Set();
  const qrs = new Set(Object.values(manifest.qr_images || {}));
  for (const item of manifest.items || []) {
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
    manifest: { body: JSON.stringify(manifest), etag: state.etag },
  });
}

function isShellUrl(url) {
  const u = new URL(url, location.href);
  if (u.origin !== location.origin) return false;
  return /^\/(kiosk\/player\/|kiosk\/theme\/|vendor\/|static\/)/.test(u.pathname);
}

// --- resilience ---------------------------------------------------------------------------------------

/** Reloads the page when the play loop or rendering has stalled. */
function watchdog() {
  if (!state.player || document.visibilityState !== 'visible') return;
  const slideMs = (state.player.currentSlideSeconds || 0) * 1000;
  const limit = Math.max(WATCHDOG_MIN_MS, 3 * slideMs);
  const stalled = Date.now() - state.lastProgress > limit;
  const frozen = Date.now() - state.lastFrame > FRAME_STALL_MS;
  if (stalled || frozen) {
    console.error('kiosk: watchdog reload', { stalled, frozen });
    location.reload();
  }
}

function installErrorHandlers() {
  const recover = (error) => {
    console.error('kiosk: uncaught', error);
    // Never leave a blank main zone: if nothing is on screen, play again from the manifest.
    if (state.player && !document.querySelector('#main .slide.is-active')) {
      try {
        state.player.reschedule();
        if (!document.querySelector('#main .slide.is-active')) state.player.showIdle('');
      } catch (again) {
        console.error('kiosk: recovery failed', again);
      }
    }
  };
  window.addEventListener('error', (event) => recover(event.error || event.message));
  window.addEventListener('unhandledrejection', (event) => recover(event.reason));
}

boot().catch((error) => {
  console.error('kiosk: boot failed', error);
  setTimeout(() => location.reload(), 30000);
});
