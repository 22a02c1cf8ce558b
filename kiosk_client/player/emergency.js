// The alerts in force on this screen: kept in localStorage so they survive reloads and outages,
// shown full screen in turn (most severe first), acknowledged to the server once shown, and taken
// down when they expire, by the screen's own clock, online or not.

import { activeAlerts, addAlert, alertTexts, cancelAlert, mergeManifestAlerts, prune } from './alerts.js';
import { renderAlert } from './render.js';
import { KEYS } from './store.js';

export const TURN_MS = 15000; // several alerts take turns this long each
const LANGUAGE_TURN_MS = 8000; // an alert's own text and its translations alternate this often

export class AlertBoard {
  constructor({ store, now, ack, onChange = () => {} }) {
    this.store = store;
    this.now = now;
    this.ack = ack; // (id) => Promise<boolean>: did the server confirm it stored the receipt?
    this.acking = new Set(); // receipts awaiting the server's answer (not stored: a reload sends again)
    this.onChange = onChange;
    this.alerts = prune(store.getJSON(KEYS.alerts, {}), now());
    this.unitName = '';
    this.active = false;
  }

  save() {
    this.store.setJSON(KEYS.alerts, this.alerts);
  }

  /** The manifest lists the alerts in force when it was built. */
  fromManifest(manifest) {
    this.unitName = manifest?.kiosk?.unit?.name || '';
    const generated = Date.parse(manifest?.generated_at ?? '') || 0;
    this.alerts = mergeManifestAlerts(this.alerts, manifest?.alerts, generated, this.now());
    this.save();
    this.render();
  }

  /** An `alert` event came over the socket. */
  received(alert) {
    this.alerts = addAlert(this.alerts, alert, this.now());
    this.save();
    this.render();
  }

  /** An `alert_cancel` event came over the socket. */
  cancelled(id) {
    this.alerts = cancelAlert(this.alerts, id);
    this.save();
    this.render();
  }

  /** Forgets every alert (the screen was revoked). */
  clear() {
    this.alerts = {};
    this.save();
    this.render();
  }

  /** Sends the receipts of alerts shown but not yet confirmed (while offline, or lost with a server). */
  flushAcks() {
    for (const alert of Object.values(this.alerts)) {
      if (alert.shown && !alert.acked) this.sendAck(alert.id);
    }
  }

  /** Sends one receipt unless one is under way; marks it acked only once the server stored it. */
  sendAck(id) {
    if (this.acking.has(id)) return;
    this.acking.add(id);
    Promise.resolve(this.ack(id)).then((stored) => {
      this.acking.delete(id);
      const alert = this.alerts[id];
      if (stored && alert && !alert.acked) {
        alert.acked = true;
        this.save();
      }
    }, () => this.acking.delete(id));
  }

  /** Shows the alert whose turn it is (called every second), or removes the overlay. */
  render() {
    const nowMs = this.now();
    const before = Object.keys(this.alerts).length;
    this.alerts = prune(this.alerts, nowMs);
    if (Object.keys(this.alerts).length !== before) this.save();
    const active = activeAlerts(this.alerts, nowMs);
    const wasActive = this.active;
    this.active = active.length > 0;
    if (!active.length) {
      renderAlert(null);
    } else {
      const index = Math.floor(nowMs / TURN_MS) % active.length;
      const alert = active[index];
      const texts = alertTexts(alert);
      const text = texts[Math.floor(nowMs / LANGUAGE_TURN_MS) % texts.length];
      renderAlert(alert, { position: index + 1, count: active.length, unitName: this.unitName, text });
      const stored = this.alerts[alert.id];
      if (!stored.shown) {
        stored.shown = true;
        if (!stored.sounded && alert.sound !== false) {
          stored.sounded = true;
          attentionSound();
        }
        this.save();
      }
      if (!stored.acked) this.sendAck(alert.id);
    }
    if (wasActive !== this.active) this.onChange(this.active);
  }
}

/** Three short tones through the Web Audio API (no audio files); silent where audio is unavailable. */
function attentionSound() {
  try {
    const Context = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!Context) return;
    const context = new Context();
    const start = context.currentTime + 0.05;
    for (let i = 0; i < 3; i++) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, start + i * 0.5);
      gain.gain.exponentialRampToValueAtTime(0.4, start + i * 0.5 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.5 + 0.35);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + i * 0.5);
      oscillator.stop(start + i * 0.5 + 0.4);
    }
    setTimeout(() => context.close().catch(() => {}), 2500);
  } catch {
    // no sound card: the overlay is what matters
  }
}
