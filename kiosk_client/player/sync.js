// Keeping the screen in step with the server: the manifest (fetched one request at a time, with its
// ETag, retried with backoff while the network is down) and the live Socket.IO connection that says
// when to fetch it again and brings alerts and commands.

import { Backoff } from './backoff.js';
import { fetchManifest, KioskSocket } from './net.js';
import { KEYS } from './store.js';

const OFFLINE_GRACE_MS = 3000;

export class Sync {
  /**
   * `shown()` returns the manifest on screen (null before the first one); `onManifest(manifest)`
   * puts a new one on screen; `onServerDate(date)` receives the server's Date header;
   * `onUnauthorized()` is called when the token was refused; `onOffline(offline)` when the live
   * connection comes or goes; `onConnect()` after each `hello`; `onEvent(name, data)` for every
   * event but `manifest`.
   */
  constructor({
    store, socketioUrl, shown, onManifest, onServerDate = () => {}, onUnauthorized = () => {},
    onOffline = () => {}, onConnect = () => {}, onEvent = () => {},
  }) {
    this.store = store;
    this.socketioUrl = socketioUrl;
    this.shown = shown;
    this.onManifest = onManifest;
    this.onServerDate = onServerDate;
    this.onUnauthorized = onUnauthorized;
    this.onOffline = onOffline;
    this.onConnect = onConnect;
    this.onEvent = onEvent;
    this.token = null;
    this.etag = null;
    this.socket = null;
    this.manifestInFlight = null;
    this.manifestAgain = false;
    this.manifestRetry = null;
    this.manifestSoon = null;
    this.manifestBackoff = new Backoff();
    this.socketBackoff = new Backoff();
  }

  /** Starts with `token`: shows the manifest kept from last time (if any), then fetches and connects. */
  start(token) {
    this.token = token;
    const held = this.store.getJSON(KEYS.manifest, null);
    if (held?.manifest) {
      this.etag = held.etag || null;
      this.onManifest(held.manifest);
    }
    return Boolean(held?.manifest);
  }

  /** Fetches the manifest and opens the live connection (after `start`). */
  connectNow() {
    this.refresh();
    this.connect();
    setTimeout(() => {
      if (this.socket && !this.socket.connected) this.onOffline(true);
    }, OFFLINE_GRACE_MS);
  }

  /** Closes the connection and forgets the token (it was refused). */
  stop() {
    this.socket?.close();
    this.socket = null;
    this.etag = null;
    this.token = null;
    clearTimeout(this.manifestRetry);
    clearTimeout(this.manifestSoon);
    this.manifestSoon = null;
  }

  /** Fetches the manifest (one request at a time; asked again meanwhile, it fetches once more after). */
  async refresh() {
    if (!this.token) return;
    if (this.manifestInFlight) {
      this.manifestAgain = true;
      return;
    }
    clearTimeout(this.manifestRetry);
    const token = this.token;
    this.manifestInFlight = fetchManifest(token, this.shown() ? this.etag : null);
    let result;
    try {
      result = await this.manifestInFlight;
    } finally {
      this.manifestInFlight = null;
    }
    if (token !== this.token) return;
    if (result.date) this.onServerDate(result.date);
    if (result.status === 'unauthorized') {
      this.onUnauthorized();
      return;
    }
    if (result.status === 'ok') {
      this.manifestBackoff.reset();
      this.etag = result.etag;
      this.store.setJSON(KEYS.manifest, { etag: result.etag, manifest: result.manifest });
      this.onManifest(result.manifest);
    } else if (result.status === 'unchanged') {
      this.manifestBackoff.reset();
    } else {
      if (result.status === 'cached' && !this.shown()) this.onManifest(result.manifest);
      this.manifestRetry = setTimeout(() => this.refresh(), this.manifestBackoff.next());
    }
    if (this.manifestAgain) {
      this.manifestAgain = false;
      this.refresh();
    }
  }

  /**
   * Fetches the manifest at a random moment within `spreadS` seconds (at once without it). The
   * server sends a spread when a change reaches more screens than it serves in a second (a
   * province-wide notice, the manifest after an alert): spread out, every fetch is answered, where
   * all at once most would time out and be retried. A second event never postpones the first.
   */
  refreshWithin(spreadS) {
    const spread = Number(spreadS);
    if (!(spread > 0)) {
      clearTimeout(this.manifestSoon);
      this.manifestSoon = null;
      this.refresh();
      return;
    }
    if (this.manifestSoon) return;
    this.manifestSoon = setTimeout(() => {
      this.manifestSoon = null;
      this.refresh();
    }, Math.random() * Math.min(spread, 300) * 1000);
  }

  async connect() {
    const socket = new KioskSocket({
      url: this.socketioUrl,
      token: this.token,
      onConnect: () => {
        this.socketBackoff.reset();
        this.onOffline(false);
        socket.emit('hello', { version: this.shown()?.version ?? 0 });
        this.onConnect();
      },
      onDisconnect: () => this.onOffline(true),
      onRefused: () => this.checkTokenThenReconnect(socket),
      onEvent: (name, data) => this.handleEvent(name, data),
    });
    this.socket = socket;
    if (!(await socket.start()) && this.socket === socket) {
      // socket.io-client itself could not be loaded (offline, not yet cached): try again later.
      this.onOffline(true);
      this.socket = null;
      setTimeout(() => {
        if (this.token && !this.socket) this.connect();
      }, this.socketBackoff.next());
    }
  }

  /** The server refused or dropped the socket: a revoked token goes back to pairing, anything else retries. */
  async checkTokenThenReconnect(socket) {
    await this.refresh();
    if (this.socket !== socket || !this.token) return;
    setTimeout(() => socket.reconnect(), this.socketBackoff.next());
  }

  handleEvent(name, data) {
    try {
      if (name === 'manifest') {
        if (data?.version !== this.shown()?.version) this.refreshWithin(data?.spread_s);
      } else {
        this.onEvent(name, data);
      }
    } catch (error) {
      console.error('kiosk: event failed', name, error);
    }
  }
}
