// The main zone: one slide at a time (a page of text, a picture or a video), swapped without a
// blank frame. Text is cut into pages that fit (paging.js) by measuring it in the real layout;
// videos are swapped in only once they play, so the previous frame stays up until then.

import { paginate, fitCount } from './paging.js';
import { h } from './dom.js';
import { CATEGORY_NAMES, LANGUAGE_NAMES } from './labels.js';

const FADE_MS = 450;
const VIDEO_START_TIMEOUT_MS = 8000;
const IMAGE_TIMEOUT_MS = 5000;
export const VIDEO_STALL_MS = 5000;

const BLOCK_TAGS = new Set(['P', 'H2', 'H3', 'UL', 'OL', 'BLOCKQUOTE', 'DIV', 'TABLE']);

/** Returns the body HTML as a list of block elements (loose inline content wrapped in <p>). */
export function bodyBlocks(html) {
  const template = document.createElement('template');
  template.innerHTML = html || '';
  const blocks = [];
  let loose = null;
  for (const node of [...template.content.childNodes]) {
    if (node.nodeType === Node.ELEMENT_NODE && BLOCK_TAGS.has(node.tagName)) {
      loose = null;
      if (node.textContent.trim()) blocks.push(node);
    } else if (node.nodeType === Node.ELEMENT_NODE || (node.nodeType === Node.TEXT_NODE && node.textContent.trim())) {
      if (!loose) {
        loose = document.createElement('p');
        blocks.push(loose);
      }
      loose.append(node);
    }
  }
  return blocks;
}

const MIN_WORDS_AT_PAGE_END = 6; // fewer words at the foot of a page read as a stray line

/**
 * Returns smaller blocks for one that does not fit after `page`: a list becomes one list per item,
 * a paragraph is cut after the words that fit. Null when it cannot or should not be cut.
 */
function splitBlock(block, page, fits) {
  if ((block.tagName === 'UL' || block.tagName === 'OL') && block.children.length > 1) {
    // One list per item, numbering kept: the pager can then cut between items.
    const start = Number(block.getAttribute('start') || 1);
    return [...block.children].map((li, index) => {
      const list = document.createElement(block.tagName);
      if (block.tagName === 'OL') list.setAttribute('start', String(start + index));
      list.append(li.cloneNode(true));
      return list;
    });
  }
  const words = block.textContent.split(/\s+/).filter(Boolean);
  if (words.length < 2) return null;
  // Cut the words where the page ends. Inline emphasis inside this one block is lost, which is
  // better than a paragraph running off the screen.
  const part = (from, to) => {
    const text = words.slice(from, to).join(' ');
    if (block.tagName === 'UL' || block.tagName === 'OL') {
      const list = document.createElement(block.tagName);
      if (block.hasAttribute('start')) list.setAttribute('start', block.getAttribute('start'));
      list.append(h('li', {}, text));
      return list;
    }
    return h(block.tagName.toLowerCase(), {}, text);
  };
  const k = fitCount(words.length - 1, (n) => fits([...page, part(0, n)]));
  if (page.length && k < MIN_WORDS_AT_PAGE_END) return null;
  return [part(0, k), part(k, words.length)];
}

export class Stage {
  constructor(main, { onProgress = () => {} } = {}) {
    this.main = main;
    this.onProgress = onProgress;
    this.pageCache = new Map();
    this.preloaded = null; // {url, video}
    this.generation = 0;
    this.videoTimers = [];
  }

  // --- text pages ---------------------------------------------------------------------------------

  /** Returns the pages (arrays of block nodes) of one language of `item`, measured in the layout. */
  pagesOf(item, langIndex, text, meta) {
    const key = `${item.id}:${item.version}:${langIndex}:${this.main.clientWidth}x${this.main.clientHeight}`;
    const cached = this.pageCache.get(key);
    if (cached) return cached;
    const blocks = bodyBlocks(text.body);
    let pages = [];
    if (blocks.length) {
      const { el, content } = this.shell(item, text, { ...meta, pageLabel: 'Trang 10/10', measuring: true });
      el.classList.add('is-measuring');
      this.main.append(el);
      const available = content.clientHeight;
      const fits = (nodes) => {
        content.replaceChildren(...nodes.map((n) => n.cloneNode(true)));
        return content.scrollHeight <= available + 1;
      };
      pages = paginate(blocks, fits, (block, page) => splitBlock(block, page, fits));
      el.remove();
    }
    this.pageCache.set(key, pages);
    return pages;
  }

  /** Forgets measured pages of items no longer in `liveKeys` (ids with versions), or all of them. */
  prunePages(liveKeys = null) {
    for (const key of this.pageCache.keys()) {
      const [id, version] = key.split(':');
      if (!liveKeys || !liveKeys.has(`${id}:${version}`)) this.pageCache.delete(key);
    }
  }

  // --- slides ---------------------------------------------------------------------------------------

  /** Returns a slide element: badges, the title, a body area and a footer line. */
  shell(item, text, meta = {}) {
    const badges = [];
    if (meta.emergency) badges.push(h('span', { class: 'badge badge-emergency' }, 'KHẨN CẤP'));
    else if (item.priority === 'priority') badges.push(h('span', { class: 'badge badge-priority' }, 'Ưu tiên'));
    const category = item.category_name || CATEGORY_NAMES[item.category];
    if (category) badges.push(h('span', { class: 'badge badge-category' }, category));
    if (meta.languages > 1) {
      badges.push(h('span', { class: 'badge badge-language', lang: 'vi' }, LANGUAGE_NAMES[text.language] || text.language));
    }
    const title = h('h1', { class: 'notice-title', lang: text.language }, text.title);
    if (!meta.measuring) title.dataset.testid = 'notice-title';
    const content = h('div', { class: 'notice-text', lang: text.language });
    const body = h('div', { class: 'slide-body' }, content);
    const from = item.source?.name || item.unit?.name; // an information source, else the unit that posted it
    const source = from ? `Nguồn: ${from}` : '';
    const el = h('article', {
      class: `slide${meta.emergency ? ' slide--emergency' : ''}${meta.kind ? ` slide--${meta.kind}` : ''}`,
      dataset: { item: item.id },
    },
    h('header', { class: 'slide-head' }, badges),
    title,
    body,
    h('footer', { class: 'slide-foot' },
      h('span', { class: 'slide-source' }, source),
      h('span', { class: 'slide-page' }, meta.pageLabel || '')));
    return { el, body, content, title };
  }

  /** Shows a page of text at once. */
  showText(item, text, nodes, meta) {
    ++this.generation;
    this.clearVideoTimers();
    const { el, content } = this.shell(item, text, { ...meta, kind: 'text' });
    content.append(...nodes.map((n) => n.cloneNode(true)));
    this.swap(el);
  }

  /** Shows a picture once it is decoded; resolves false (skip it) if it cannot be shown. */
  async showImage(item, text, media, meta) {
    const generation = ++this.generation;
    const { el, body } = this.shell(item, text, { ...meta, kind: 'media' });
    const img = h('img', { class: 'slide-image', src: media.url, alt: '' });
    body.replaceChildren(h('div', { class: 'media-frame' }, img));
    const ok = await Promise.race([
      img.decode().then(() => true, () => false),
      new Promise((resolve) => setTimeout(() => resolve(false), IMAGE_TIMEOUT_MS)),
    ]);
    if (generation !== this.generation) return false;
    if (!ok) return false;
    this.swap(el);
    return true;
  }

  /**
   * Plays a video, swapping it in once it really plays (the previous slide stays up meanwhile).
   * Calls `done(reason)` once: 'ended', or 'error'/'stalled'/'timeout' when it must be skipped.
   */
  showVideo(item, text, media, meta, done) {
    const generation = ++this.generation;
    this.clearVideoTimers();
    const { el, body } = this.shell(item, text, { ...meta, kind: 'media' });
    const video = this.takePreloaded(media.url) || this.makeVideo(media);
    body.replaceChildren(h('div', { class: 'media-frame' }, video));
    el.classList.add('is-pending');
    this.main.append(el);
    let finished = false;
    let lastProgress = Date.now();
    let shown = false;
    const finish = (reason) => {
      if (finished || generation !== this.generation) return;
      finished = true;
      this.clearVideoTimers();
      if (!shown) releaseVideo(el);
      done(reason);
    };
    const reveal = () => {
      if (shown || generation !== this.generation) return;
      shown = true;
      el.classList.remove('is-pending');
      this.swap(el);
    };
    video.addEventListener('playing', () => {
      lastProgress = Date.now();
      // Swap once a frame is on its way to the screen, not merely when playback begins.
      if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(reveal);
      else reveal();
      setTimeout(reveal, 250);
    });
    video.addEventListener('timeupdate', () => {
      lastProgress = Date.now();
      this.onProgress();
    });
    video.addEventListener('ended', () => finish('ended'));
    video.addEventListener('error', () => finish('error'));
    const started = Date.now();
    const limitMs = Math.max(30000, (Number(media.duration_s) || 0) * 1500 + 10000);
    this.videoTimers.push(setInterval(() => {
      const now = Date.now();
      if (!shown && now - started > VIDEO_START_TIMEOUT_MS) finish('timeout');
      else if (shown && now - lastProgress > VIDEO_STALL_MS) finish('stalled');
      else if (now - started > limitMs) finish('ended');
    }, 500));
    if (document.body.classList.contains('has-alert')) {
      // An alert is on screen: start silent, and get the sound back when it leaves (setMuted).
      video.dataset.wasMuted = '0';
      video.muted = true;
    }
    playWithSound(video).catch(() => finish('error'));
  }

  /** Shows the idle card (nothing is scheduled). */
  showIdle(card) {
    ++this.generation;
    this.clearVideoTimers();
    const current = this.main.querySelector('.slide--idle:not(.is-leaving)');
    if (current) {
      current.replaceChildren(card);
      return;
    }
    this.swap(h('article', { class: 'slide slide--idle' }, card));
  }

  /** Stops whatever plays: callbacks of the current video are ignored from now on. */
  cut() {
    ++this.generation;
    this.clearVideoTimers();
  }

  /** Mutes or restores the sound of the video on screen (an alert covers it). */
  setMuted(muted) {
    for (const video of this.main.querySelectorAll('video')) {
      if (muted) {
        video.dataset.wasMuted = video.muted ? '1' : '0';
        video.muted = true;
      } else if (video.dataset.wasMuted === '0') {
        video.muted = false;
      }
    }
  }

  /** Starts loading the video that plays next, so it can start without a gap. */
  preload(media) {
    if (!media || media.kind !== 'video') return;
    if (this.preloaded?.url === media.url) return;
    this.dropPreloaded();
    this.preloaded = { url: media.url, video: this.makeVideo(media) };
  }

  makeVideo(media) {
    const video = h('video', { class: 'slide-video', preload: 'auto', playsinline: true });
    if (media.poster_url) video.poster = media.poster_url;
    video.src = media.url;
    return video;
  }

  takePreloaded(url) {
    if (this.preloaded?.url !== url) return null;
    const { video } = this.preloaded;
    this.preloaded = null;
    return video;
  }

  dropPreloaded() {
    if (this.preloaded) releaseMedia(this.preloaded.video);
    this.preloaded = null;
  }

  clearVideoTimers() {
    for (const timer of this.videoTimers) clearInterval(timer);
    this.videoTimers = [];
  }

  /** Puts `el` on screen over the current slide and removes the old ones after the fade. */
  swap(el) {
    const old = [...this.main.querySelectorAll('.slide:not(.is-measuring):not(.is-leaving)')].filter((s) => s !== el);
    for (const slide of old) {
      slide.classList.add('is-leaving');
      slide.classList.remove('is-active');
      slide.querySelector('[data-testid=notice-title]')?.removeAttribute('data-testid');
      setTimeout(() => releaseVideo(slide), FADE_MS + 50);
      // Anything pending from an earlier generation goes now.
      if (slide.classList.contains('is-pending')) releaseVideo(slide);
    }
    if (!el.isConnected) this.main.append(el);
    el.classList.add('is-entering');
    void el.offsetWidth; // commit the starting state so the fade runs
    el.classList.add('is-active');
    el.classList.remove('is-entering');
    this.onProgress();
  }
}

/** Stops and removes a slide's video so its decoder and buffers are freed, then the slide. */
function releaseVideo(slide) {
  for (const video of slide.querySelectorAll('video')) releaseMedia(video);
  slide.remove();
}

function releaseMedia(video) {
  try {
    video.pause();
    video.removeAttribute('src');
    video.load();
  } catch {
    // already gone
  }
  video.remove();
}

/** Starts playback with sound, or muted where the browser refuses autoplay with sound. */
async function playWithSound(video) {
  try {
    await video.play();
  } catch (error) {
    if (error?.name !== 'NotAllowedError') throw error;
    video.muted = true;
    await video.play();
  }
}
