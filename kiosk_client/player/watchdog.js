// Resilience: reload the page when the play loop or rendering has stalled, and never leave a blank
// main zone after an uncaught error.

const WATCHDOG_MIN_MS = 120000;
const FRAME_STALL_MS = 60000;

export class Watchdog {
  /** `player()` returns the play loop to watch (null while pairing). */
  constructor({ player }) {
    this.player = player;
    this.lastProgress = Date.now();
    this.lastFrame = Date.now();
  }

  /** Something moved on screen. */
  progress() {
    this.lastProgress = Date.now();
  }

  /** Counts animation frames from now on (a frozen renderer stops them). */
  watchFrames() {
    const frame = () => {
      this.lastFrame = Date.now();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  /** Reloads the page when the play loop or rendering has stalled (called once a second). */
  check() {
    const player = this.player();
    if (player && !player.currentItemId) this.progress();
    if (!player || document.visibilityState !== 'visible') return;
    const slideMs = (player.currentSlideSeconds || 0) * 1000;
    const limit = Math.max(WATCHDOG_MIN_MS, 3 * slideMs);
    const stalled = Date.now() - this.lastProgress > limit;
    const frozen = Date.now() - this.lastFrame > FRAME_STALL_MS;
    if (stalled || frozen) {
      console.error('kiosk: watchdog reload', { stalled, frozen });
      location.reload();
    }
  }
}

/** Catches uncaught errors: if nothing is on screen then, plays again from the manifest. */
export function installErrorHandlers(player) {
  const recover = (error) => {
    console.error('kiosk: uncaught', error);
    const current = player();
    if (current && !document.querySelector('#main .slide.is-active')) {
      try {
        current.reschedule();
        if (!document.querySelector('#main .slide.is-active')) current.showIdle('');
      } catch (again) {
        console.error('kiosk: recovery failed', again);
      }
    }
  };
  window.addEventListener('error', (event) => recover(event.error || event.message));
  window.addEventListener('unhandledrejection', (event) => recover(event.reason));
}
