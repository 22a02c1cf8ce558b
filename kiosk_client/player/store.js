// What a screen keeps across reloads, in localStorage: its token, the pairing in progress, the last
// manifest, the alerts in force and the play records not yet sent. Every read survives a corrupt or
// missing value, and every write survives a full storage (the screen keeps playing either way).

export const KEYS = Object.freeze({
  token: 'kiosk.token',
  pending: 'kiosk.pending',
  pairing: 'kiosk.pairing',
  manifest: 'kiosk.manifest',
  alerts: 'kiosk.alerts',
  played: 'kiosk.played',
});

// A day offline at one record every ~15 s is ~6,000 records; beyond this the oldest go first.
export const MAX_PLAYED = 5000;

export class Store {
  constructor(storage = globalThis.localStorage) {
    this.storage = storage;
  }

  get(key) {
    try {
      return this.storage.getItem(key);
    } catch {
      return null;
    }
  }

  set(key, value) {
    try {
      this.storage.setItem(key, value);
      return true;
    } catch (error) {
      console.warn('kiosk: cannot store', key, error);
      return false;
    }
  }

  remove(key) {
    try {
      this.storage.removeItem(key);
    } catch {
      // nothing to do: the value stays, and is overwritten next time
    }
  }

  getJSON(key, fallback) {
    const raw = this.get(key);
    if (raw == null) return fallback;
    try {
      return JSON.parse(raw);
    } catch {
      return fallback;
    }
  }

  setJSON(key, value) {
    return this.set(key, JSON.stringify(value));
  }

  /** Appends play records, dropping the oldest beyond MAX_PLAYED; returns the queue's length. */
  queuePlayed(entries) {
    const queue = this.getJSON(KEYS.played, []);
    const next = (Array.isArray(queue) ? queue : []).concat(entries).slice(-MAX_PLAYED);
    this.setJSON(KEYS.played, next);
    return next.length;
  }

  /** Returns up to `limit` of the oldest queued play records. */
  peekPlayed(limit) {
    const queue = this.getJSON(KEYS.played, []);
    return Array.isArray(queue) ? queue.slice(0, limit) : [];
  }

  /** Removes the `count` oldest play records (those just sent). */
  dropPlayed(count) {
    const queue = this.getJSON(KEYS.played, []);
    this.setJSON(KEYS.played, Array.isArray(queue) ? queue.slice(count) : []);
  }

  /** Forgets everything tied to the kiosk's identity (revoked, or paired anew). */
  forgetKiosk() {
    for (const key of [KEYS.token, KEYS.manifest, KEYS.alerts, KEYS.played]) this.remove(key);
  }
}

/** A Storage-like object in memory, for tests and for browsers that refuse localStorage. */
export class MemoryStorage {
  constructor() {
    this.map = new Map();
  }

  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }

  setItem(key, value) {
    this.map.set(key, String(value));
  }

  removeItem(key) {
    this.map.delete(key);
  }
}

/** Returns localStorage when the browser lets the page write to it, else a MemoryStorage. */
export function usableStorage() {
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
