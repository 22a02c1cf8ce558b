// The kiosk player's entry point: wires pairing, what the screen shows (display.js), keeping in step
// with the server (sync.js), reporting back (report.js), the offline cache (offline.js) and the
// watchdog. The page is the pairing screen while the browser holds no kiosk token, and the player
// after (CONTRACT.md, "Kiosk player"). The editor's preview wires the same display without the rest
// (preview.js).

import { clockSkew } from './clock.js';
import { Display, fontsReady } from './display.js';
import { cacheForOffline, forgetOfflineCopy, registerServiceWorker } from './offline.js';
import { Pairing, tokenFromFragment } from './pairing.js';
import { applyThemeColors, pageSettings, setMode, setOffline, showIdentify } from './render.js';
import { Report } from './report.js';
import { KEYS, Store, usableStorage } from './store.js';
import { Sync } from './sync.js';
import { switchTheme } from './theme.js';
import { installErrorHandlers, Watchdog } from './watchdog.js';

const settings = pageSettings();
const store = new Store(usableStorage());
let skewMs = 0;
const now = () => Date.now() + skewMs;

const display = new Display({
  store,
  now,
  emblemUrl: settings.emblemUrl,
  onPlayed: (entry) => report.played(entry),
  ack: (id) => report.ack(id),
  onProgress: () => watchdog.progress(),
});
const sync = new Sync({
  store,
  socketioUrl: settings.socketioUrl,
  shown: () => display.manifest,
  onManifest: adoptManifest,
  onServerDate: (date) => { skewMs = clockSkew(date, Date.now()); },
  onUnauthorized: backToPairing,
  onOffline: setOffline,
  onConnect: () => {
    report.heartbeat();
    display.alerts?.flushAcks();
    report.flushPlayed();
  },
  onEvent: handleEvent,
});
const report = new Report({
  store,
  socket: () => sync.socket,
  version: () => display.manifest?.version,
  currentItem: () => display.player?.currentItemId,
});
const watchdog = new Watchdog({ player: () => display.player });

async function boot() {
  applyThemeColors(settings.colors);
  installErrorHandlers(() => display.player);
  registerServiceWorker(settings.swUrl);
  startClock();
  report.start();
  window.addEventListener('resize', () => display.stage?.prunePages());
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

function startClock() {
  const tick = () => {
    display.tick(now());
    watchdog.check();
  };
  tick();
  setInterval(tick, 1000);
  watchdog.watchFrames();
}

function startPairing() {
  setMode('pairing');
  const pairing = new Pairing(store, (token) => startPlayer(token));
  pairing.start();
}

/** The server no longer knows this screen's token: forget it and pair again. */
function backToPairing() {
  console.warn('kiosk: token refused, back to pairing');
  sync.stop();
  display.stop();
  store.forgetKiosk();
  forgetOfflineCopy();
  setOffline(false);
  startPairing();
}

function startPlayer(token) {
  display.start();
  if (!sync.start(token)) display.showIdle('Đang tải nội dung…');
  display.alerts.render();
  sync.connectNow();
}

function adoptManifest(manifest) {
  if (switchTheme(manifest?.kiosk?.theme, settings.theme)) return;
  display.show(manifest);
  cacheForOffline(manifest, sync.etag, settings);
}

function handleEvent(name, data) {
  if (name === 'alert') {
    display.alerts?.received(data);
  } else if (name === 'alert_cancel') {
    if (data?.id != null) display.alerts?.cancelled(data.id);
  } else if (name === 'command') {
    if (data?.name === 'reload') location.reload();
    else if (data?.name === 'identify') showIdentify(display.manifest?.kiosk?.name, display.manifest?.kiosk?.unit?.name);
  }
}

boot().catch((error) => {
  console.error('kiosk: boot failed', error);
  setTimeout(() => location.reload(), 30000);
});
