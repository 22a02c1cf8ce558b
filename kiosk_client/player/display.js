// What the screen shows once it plays: the main zone's stage and play loop, the emergency board,
// the header and the clock, fed one manifest after another. The kiosk (main.js) and the editor's
// preview (preview.js) both draw through this, so the preview is exactly what a screen shows.

import { byId, rememberQrImages } from './dom.js';
import { AlertBoard } from './emergency.js';
import { Player } from './player.js';
import { renderClock, renderHeader, setMode } from './render.js';
import { Stage } from './stage.js';

/** Returns a promise that settles once the web fonts are in (pages are measured in them), or after a few seconds. */
export function fontsReady() {
  if (!document.fonts?.ready) return Promise.resolve();
  const loads = ['400', '700'].map((weight) => document.fonts.load(`${weight} 32px "Be Vietnam Pro"`, 'Thông báo Ủy ban'));
  return Promise.race([
    Promise.all([document.fonts.ready, ...loads]).catch(() => {}),
    new Promise((resolve) => setTimeout(resolve, 4000)),
  ]);
}

export class Display {
  /**
   * `store` keeps the alerts in force; `onPlayed(entry)` receives each finished item; `ack(id)`
   * acknowledges an alert shown (returns whether it was sent); `onProgress()` is called whenever
   * something moved on screen.
   */
  constructor({ store, now, emblemUrl = '', onPlayed = () => {}, ack = () => false, onProgress = () => {} }) {
    this.store = store;
    this.now = now;
    this.emblemUrl = emblemUrl;
    this.onPlayed = onPlayed;
    this.ack = ack;
    this.onProgress = onProgress;
    this.manifest = null;
    this.stage = null;
    this.player = null;
    this.alerts = null;
  }

  /** Switches the page to the player and starts an empty play loop in the main zone. */
  start() {
    setMode('playing');
    const main = byId('main');
    main.replaceChildren();
    this.stage = new Stage(main, { onProgress: () => this.onProgress() });
    this.player = new Player({
      stage: this.stage,
      emblemUrl: this.emblemUrl,
      now: this.now,
      onPlayed: (entry) => this.onPlayed(entry),
      onProgress: () => this.onProgress(),
    });
    this.alerts = new AlertBoard({
      store: this.store,
      now: this.now,
      ack: (id) => this.ack(id),
      onChange: (active) => this.stage?.setMuted(active),
    });
    this.player.suppressPlayed = () => this.alerts?.active ?? false;
  }

  /** Shows `manifest`: header, dates, its alerts and its play loop. */
  show(manifest) {
    this.manifest = manifest;
    rememberQrImages(manifest.qr_images); // the server draws only the QR codes it signed
    renderHeader(manifest);
    renderClock(this.now(), manifest.lunar);
    this.alerts?.fromManifest(manifest);
    this.player?.setManifest(manifest);
  }

  /** Shows the idle card with `message` until a manifest comes. */
  showIdle(message) {
    this.player?.showIdle(message);
  }

  /** Redraws the clock, the dates and the alerts for the instant `nowMs` (once a second). */
  tick(nowMs) {
    renderClock(nowMs, this.manifest?.lunar);
    this.alerts?.render();
  }

  /** Stops playing and forgets the alerts and the manifest (the screen goes back to pairing). */
  stop() {
    this.player?.stop();
    this.player = null;
    this.alerts?.clear();
    this.alerts = null;
    this.manifest = null;
  }
}
