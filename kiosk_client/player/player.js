// The play loop. What plays is a pure function of the manifest and the clock (play_order.js over
// schedule.js): the loop is evaluated now, re-evaluated exactly when it next changes, and played
// item by item.
//
// - Playlists (chương trình phát) set the order; an exclusive one takes the screen in its hours.
// - Emergency items interrupt at once: the item on screen is cut.
// - Priority items lead the loop, and one that just arrived plays next.
// - When the manifest changes, the item on screen finishes, unless it left the loop.
// - An item plays as slides (text pages per language, pictures, videos) sharing its time.

import { idleCard, renderQrPanel, renderTicker } from './render.js';
import {
  languagesOf, MIN_SLIDE_S, nextItemId, planSlides, qrFor, slideDurations, standingLink,
} from './playlist.js';
import { order, programmeFromJson } from './play_order.js';
import { itemFromJson, nextChangeDelay } from './schedule.js';

const BROKEN_FOR_MS = 60000; // an item none of whose slides could be shown rests this long
const RESCHEDULE_SLACK_MS = 5; // timers may fire a hair early: evaluate just after the change

export class Player {
  constructor({ stage, emblemUrl = '', now = () => Date.now(), onPlayed = () => {}, onProgress = () => {} }) {
    this.stage = stage;
    this.emblemUrl = emblemUrl;
    this.now = now;
    this.onPlayed = onPlayed;
    this.onProgress = onProgress;
    this.manifest = null;
    this.entries = new Map();
    this.items = [];
    this.programmes = [];
    this.playlistOnly = [];
    this.loop = [];
    this.interrupting = false;
    this.exclusive = null;
    this.jumpQueue = [];
    this.current = null;
    this.last = null; // {id, loop} of the item that played last
    this.broken = new Map();
    this.linkTurn = 0;
    this.slideTimer = null;
    this.scheduleTimer = null;
    this.stopped = false;
    this.suppressPlayed = () => false;
  }

  /** The id of the item on screen ("n12"), or null. */
  get currentItemId() {
    return this.current?.id ?? null;
  }

  /** The expected length of the slide on screen in seconds (for the watchdog), or null. */
  get currentSlideSeconds() {
    const cur = this.current;
    if (!cur || cur.index < 0) return null;
    const slide = cur.slides[cur.index];
    if (slide?.kind === 'video') return Number(slide.media.duration_s) || null;
    return cur.durations[cur.index] ?? null;
  }

  /** Takes a new manifest (or the same one again) and re-evaluates the loop. */
  setManifest(manifest) {
    this.manifest = manifest;
    this.entries = new Map();
    this.items = [];
    for (const entry of manifest?.items || []) {
      try {
        this.items.push(itemFromJson(entry));
        this.entries.set(String(entry.id), entry);
      } catch (error) {
        console.warn('kiosk: skipping a malformed item', entry?.id, error);
      }
    }
    this.programmes = [];
    for (const data of manifest?.playlists || []) {
      try {
        this.programmes.push(programmeFromJson(data));
        // A playlist's media items play as items of their own.
        for (const entry of data.items || []) this.entries.set(String(entry.id), entry);
      } catch (error) {
        console.warn('kiosk: skipping a malformed playlist', data?.id, error);
      }
    }
    this.playlistOnly = (manifest?.items || []).filter((e) => e?.playlist_only).map((e) => String(e.id));
    this.stage.prunePages(new Set([...this.entries.values()].map((e) => `${e.id}:${e.version}`)));
    this.reschedule();
  }

  /** Stops playing (the screen is going back to pairing). */
  stop() {
    this.stopped = true;
    clearTimeout(this.slideTimer);
    clearTimeout(this.scheduleTimer);
    this.stage.cut();
    this.stage.dropPreloaded();
  }

  /** Evaluates the loop for now, sets the timer for its next change, and cuts the item on screen if it must go. */
  reschedule() {
    if (this.stopped || !this.manifest) return;
    clearTimeout(this.scheduleTimer);
    const now = new Date(this.now());
    let playlist;
    try {
      playlist = order(this.items, this.programmes, now, this.playlistOnly);
    } catch (error) {
      console.error('kiosk: cannot evaluate the schedule', error);
      playlist = { items: [], interrupting: false, nextChange: null };
    }
    this.scheduleTimer = setTimeout(() => this.reschedule(), nextChangeDelay(playlist, now) + RESCHEDULE_SLACK_MS);
    const previous = this.loop;
    const loop = [...playlist.items];
    const exclusiveChanged = (playlist.exclusive ?? null) !== (this.exclusive ?? null);
    this.exclusive = playlist.exclusive ?? null;
    const arrivals = loop.filter((id) => !previous.includes(id));
    const jumpers = arrivals.filter((id) => ['priority', 'emergency'].includes(this.entries.get(id)?.priority));
    this.jumpQueue = [...this.jumpQueue.filter((id) => loop.includes(id)), ...jumpers.filter((id) => !this.jumpQueue.includes(id))];
    const newEmergency = playlist.interrupting && arrivals.some((id) => this.entries.get(id)?.priority === 'emergency');
    this.loop = loop;
    this.interrupting = playlist.interrupting;
    renderTicker(loop.map((id) => this.entries.get(id)?.title).filter(Boolean), this.idleTickerText());

    const cur = this.current;
    if (!cur) {
      this.playNext();
    } else if (!loop.includes(cur.id) || newEmergency || exclusiveChanged) {
      // An exclusive programme starts and ends on the hour, like a broadcast: the item on screen is cut.
      this.finishCurrent();
      this.playNext();
    }
  }

  idleTickerText() {
    const unit = this.manifest?.kiosk?.unit?.name;
    return unit ? `${unit} — Bảng tin điện tử công cộng` : 'Bảng tin điện tử công cộng';
  }

  /** Plays the next item of the loop, or the idle card when nothing is scheduled. */
  playNext() {
    if (this.stopped) return;
    const nowMs = this.now();
    for (const [id, until] of this.broken) if (until <= nowMs) this.broken.delete(id);
    const playable = this.loop.filter((id) => !this.broken.has(id));
    const from = this.current ?? this.last;
    const id = nextItemId(playable, from?.id ?? null, from?.loop ?? playable, this.jumpQueue);
    this.current = null;
    if (id == null) {
      this.showIdle(this.loop.length ? 'Đang chuẩn bị nội dung…' : 'Hiện chưa có thông báo mới.');
      if (this.loop.length) this.slideTimer = setTimeout(() => this.playNext(), 5000);
      return;
    }
    this.jumpQueue = this.jumpQueue.filter((queued) => queued !== id);
    this.playItem(this.entries.get(id));
  }

  showIdle(message) {
    clearTimeout(this.slideTimer);
    this.stage.dropPreloaded();
    this.stage.showIdle(idleCard(this.manifest, this.emblemUrl, message));
    renderQrPanel(standingLink(this.manifest?.links, Math.floor(this.now() / 20000)));
    this.onProgress();
  }

  playItem(entry) {
    clearTimeout(this.slideTimer);
    const texts = languagesOf(entry);
    const meta = { emergency: entry.priority === 'emergency', languages: texts.length };
    const pages = texts.map((text, index) => {
      try {
        return this.stage.pagesOf(entry, index, text, meta);
      } catch (error) {
        console.error('kiosk: cannot page', entry.id, error);
        return [];
      }
    });
    const slides = planSlides(entry, pages.map((p) => p.length));
    this.current = {
      id: String(entry.id),
      entry,
      texts,
      pages,
      slides,
      durations: slideDurations(slides, entry.duration_s),
      meta,
      index: -1,
      shown: 0,
      startedAt: this.now(),
      loop: [...this.loop],
      token: Symbol(entry.id),
    };
    renderQrPanel(qrFor(entry, pages[0]?.length || 0, this.manifest?.links, this.linkTurn++));
    this.runSlide(0);
  }

  runSlide(index) {
    const cur = this.current;
    if (!cur || this.stopped) return;
    clearTimeout(this.slideTimer);
    if (index >= cur.slides.length) {
      if (!cur.shown) return this.showTitleOnly(cur);
      this.finishCurrent();
      return this.playNext();
    }
    cur.index = index;
    const slide = cur.slides[index];
    const token = cur.token;
    const stale = () => this.current?.token !== token;
    const next = () => {
      if (!stale()) this.runSlide(index + 1);
    };
    this.preloadAfter(cur, index);
    this.onProgress();
    const text = cur.texts[slide.lang ?? 0];
    if (slide.kind === 'text') {
      const label = slide.pages > 1 ? `Trang ${slide.page + 1}/${slide.pages}` : '';
      this.stage.showText(cur.entry, text, cur.pages[slide.lang]?.[slide.page] || [], { ...cur.meta, pageLabel: label });
      cur.shown++;
      this.slideTimer = setTimeout(next, cur.durations[index] * 1000);
    } else if (slide.kind === 'image') {
      // A PDF's pages come as pictures that know their page number; other pictures are counted.
      const page = Number(slide.media.page);
      const label = page && slide.media.pages > 1 ? `Trang ${page}/${slide.media.pages}`
        : slide.count > 1 ? `Ảnh ${slide.index + 1}/${slide.count}` : '';
      this.stage.showImage(cur.entry, cur.texts[0], slide.media, { ...cur.meta, pageLabel: label }).then((ok) => {
        if (stale()) return;
        if (!ok) return next();
        cur.shown++;
        this.slideTimer = setTimeout(next, cur.durations[index] * 1000);
      });
    } else {
      this.stage.showVideo(cur.entry, cur.texts[0], slide.media, { ...cur.meta, pageLabel: '' }, (reason) => {
        if (stale()) return;
        if (reason === 'ended') cur.shown++;
        else console.warn('kiosk: video skipped', slide.media.url, reason);
        next();
      });
    }
  }

  /** Shows just the title when none of an item's slides could be shown (its videos failed). */
  showTitleOnly(cur) {
    this.broken.set(cur.id, this.now() + BROKEN_FOR_MS);
    cur.shown++;
    cur.index = cur.slides.length;
    this.stage.showText(cur.entry, cur.texts[0], [], { ...cur.meta, pageLabel: '' });
    const token = cur.token;
    this.slideTimer = setTimeout(() => {
      if (this.current?.token !== token) return;
      this.finishCurrent();
      this.playNext();
    }, Math.max(MIN_SLIDE_S, Number(cur.entry.duration_s) / 2 || 0) * 1000);
  }

  /** Preloads the video that comes after slide `index` (in this item or the next one). */
  preloadAfter(cur, index) {
    let upcoming = cur.slides[index + 1];
    if (!upcoming) {
      const nextId = nextItemId(this.loop, cur.id, cur.loop, this.jumpQueue);
      const entry = nextId != null ? this.entries.get(nextId) : null;
      if (entry) {
        const hasText = languagesOf(entry).some((t) => t.body && t.body.replace(/<[^>]*>/g, '').trim());
        const firstVideo = (entry.media || []).find((m) => m.kind === 'video');
        upcoming = !hasText && entry.media?.[0]?.kind === 'video' ? { kind: 'video', media: firstVideo } : null;
      }
    }
    if (upcoming?.kind === 'video') this.stage.preload(upcoming.media);
  }

  /** Ends the item on screen and reports how long it played. */
  finishCurrent() {
    const cur = this.current;
    if (!cur) return;
    clearTimeout(this.slideTimer);
    this.stage.cut();
    this.current = null;
    this.last = { id: cur.id, loop: cur.loop };
    const seconds = Math.round((this.now() - cur.startedAt) / 100) / 10;
    if (seconds >= 1 && !this.suppressPlayed()) {
      // A playlist's media item reports the media ("m5"), so plays are counted by what was shown.
      const item = cur.entry.play_item || cur.id;
      this.onPlayed({ item, started_at: new Date(cur.startedAt).toISOString(), duration_s: seconds });
    }
  }
}
