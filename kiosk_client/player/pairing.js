// Pairing, on the screen: ask for a code, show it (and a QR for the officer's phone), wait until an
// officer has typed it, then hand the token to the player. A reload keeps the same code while it is
// valid; an expired code is replaced by a new one.

import { Backoff } from './backoff.js';
import { rememberQrImages } from './dom.js';
import { pairingStatus, requestPairing } from './net.js';
import { renderPairing, setPairingStatus } from './render.js';
import { KEYS } from './store.js';

const POLL_MS = 3000;
const WAITING = 'Đang chờ cán bộ nhập mã…';
const NO_SERVER = 'Chưa kết nối được máy chủ. Màn hình sẽ tự thử lại.';

export class Pairing {
  constructor(store, onPaired) {
    this.store = store;
    this.onPaired = onPaired;
    this.timer = null;
    this.backoff = new Backoff();
    this.stopped = false;
  }

  start() {
    const pending = this.store.get(KEYS.pending);
    const shown = this.store.getJSON(KEYS.pairing, null);
    if (pending && shown && Date.parse(shown.expires_at) > Date.now()) {
      renderPairing(this.view(shown), WAITING);
      this.schedule(0);
    } else {
      renderPairing({}, 'Đang lấy mã ghép nối…');
      this.newCode();
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  view(shown) {
    rememberQrImages({ [shown.pair_url]: shown.qr_image });
    return { code: shown.code, pairUrl: shown.pair_url, expiresAt: shown.expires_at };
  }

  schedule(ms, action = () => this.poll()) {
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(action, ms);
  }

  async newCode() {
    const answer = await requestPairing();
    if (this.stopped) return;
    if (!answer) {
      setPairingStatus(NO_SERVER);
      this.schedule(this.backoff.next(), () => this.newCode());
      return;
    }
    this.backoff.reset();
    this.store.set(KEYS.pending, answer.token);
    const shown = { code: answer.code, pair_url: answer.pair_url, qr_image: answer.qr_image, expires_at: answer.expires_at };
    this.store.setJSON(KEYS.pairing, shown);
    renderPairing(this.view(shown), WAITING);
    this.schedule(POLL_MS);
  }

  async poll() {
    const pending = this.store.get(KEYS.pending);
    const shown = this.store.getJSON(KEYS.pairing, null);
    if (!pending || !shown || !(Date.parse(shown.expires_at) > Date.now())) {
      this.newCode();
      return;
    }
    const status = await pairingStatus(pending);
    if (this.stopped) return;
    if (status === 'paired') {
      this.stop();
      this.store.set(KEYS.token, pending);
      this.store.remove(KEYS.pending);
      this.store.remove(KEYS.pairing);
      this.onPaired(pending);
    } else if (status === 'unknown') {
      this.newCode();
    } else {
      setPairingStatus(status === 'offline' ? NO_SERVER : WAITING);
      this.schedule(POLL_MS);
    }
  }
}

/** Returns the token of a `/kiosk#token=kt_…` link (then removes it from the address), or null. */
export function tokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', location.pathname + location.search);
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}
