// What the screen tells the server about itself: a heartbeat every 25 s, the record of what
// played (queued in localStorage, sent in batches, dropped only once acknowledged) and the
// receipt of each alert shown (kept until the server confirms it stored it).

// 25 s: with the server's 5 s presence flush (and its 5 s list of active alerts), a screen that missed a
// change or an alert is told within 30 s of it, whatever lost the message (issue 21).
const HEARTBEAT_MS = 25000;
const PLAYED_FLUSH_MS = 60000;
const PLAYED_BATCH = 20;
const PLAYED_SEND_MAX = 200;
const ACK_TIMEOUT_MS = 15000; // the server answers once the receipt's batch is written

export class Report {
  /**
   * `socket()` returns the live connection (or null); `version()` the version of the manifest on
   * screen; `currentItem()` the id of the item on screen.
   */
  constructor({ store, socket, version, currentItem, bootMs = Date.now() }) {
    this.store = store;
    this.socket = socket;
    this.version = version;
    this.currentItem = currentItem;
    this.bootMs = bootMs;
    this.flushing = false;
  }

  /** Sends the heartbeat and the play records on their timers from now on. */
  start() {
    setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    setInterval(() => this.flushPlayed(), PLAYED_FLUSH_MS);
  }

  heartbeat() {
    this.socket()?.emit('heartbeat', {
      version: this.version() ?? 0,
      current_item: this.currentItem() ?? null,
      uptime_s: Math.round((Date.now() - this.bootMs) / 1000),
    });
  }

  /**
   * Sends the receipt of alert `id`; resolves to whether the server confirmed it is stored. A receipt
   * the server never confirmed (no connection, a process that died before writing it) is sent again.
   */
  async ack(id) {
    const answer = await this.socket()?.call('alert_ack', { id }, ACK_TIMEOUT_MS);
    return answer?.ok === true;
  }

  /** Queues one play record; a full batch is sent at once. */
  played(entry) {
    if (this.store.queuePlayed([entry]) >= PLAYED_BATCH) this.flushPlayed();
  }

  /** Sends the queued play records, oldest first; they leave the queue only once the server acknowledged them. */
  async flushPlayed() {
    if (this.flushing || !this.socket()?.connected) return;
    this.flushing = true;
    try {
      for (;;) {
        const batch = this.store.peekPlayed(PLAYED_SEND_MAX);
        if (!batch.length) break;
        // ok: handled, refused plays included (they would be refused again); ok false: over the
        // screen's rate limit, sent again at the next flush; no answer: not known to be stored.
        const answer = await this.socket()?.call('played', batch, ACK_TIMEOUT_MS);
        if (answer?.ok !== true) break;
        this.store.dropPlayed(batch.length);
      }
    } finally {
      this.flushing = false;
    }
  }
}
