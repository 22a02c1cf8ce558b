// Retry delays for screens that lost the server: exponential, capped near a minute, and jittered so
// that a thousand screens coming back after an outage do not all knock at the same instant.
//
// socket.io-client applies the same policy to its own reconnections (reconnectionDelay 1 s,
// reconnectionDelayMax 60 s, randomizationFactor 0.5); this one covers everything else the player
// retries: the manifest, pairing, and reconnecting after the server refused the socket.

export const BACKOFF = Object.freeze({ baseMs: 1000, maxMs: 60000, factor: 2, jitter: 0.5 });

/**
 * Returns the milliseconds to wait before retry number `attempt` (0 for the first retry).
 *
 * The ceiling grows as base * factor^attempt up to maxMs, and the delay is drawn uniformly from
 * [1 - jitter, 1] times that ceiling: never above the cap, and at the cap spread evenly over its
 * upper half (30-60 s), rather than piling up on the cap as clamping a symmetric jitter would.
 */
export function backoffDelay(attempt, options = {}, random = Math.random) {
  const { baseMs, maxMs, factor, jitter } = { ...BACKOFF, ...options };
  const step = Math.max(0, Math.floor(Number(attempt) || 0));
  const ceiling = Math.min(maxMs, baseMs * factor ** Math.min(step, 64));
  return Math.round(ceiling * (1 - jitter * random()));
}

/** A retry counter: `next()` returns the delay for the coming retry, `reset()` after a success. */
export class Backoff {
  constructor(options = {}, random = Math.random) {
    this.options = options;
    this.random = random;
    this.attempt = 0;
  }

  next() {
    return backoffDelay(this.attempt++, this.options, this.random);
  }

  reset() {
    this.attempt = 0;
  }
}
