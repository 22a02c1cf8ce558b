// Everything on screen except the main zone's slides (stage.js): header, ticker, QR panel, the
// emergency overlay, the offline badge, the pairing view, the idle card and the identify banner.
// All text a citizen reads is Vietnamese.

import { alertKind, levelColours, levelLabel, levelOf } from './alerts.js';
import { formatClock, formatDateTime, formatSolarDate, vnDateKey } from './clock.js';
import { byId, clear, h, qrElement, setText } from './dom.js';
import { LANGUAGE_NAMES } from './labels.js';

/** Returns the page's settings that the template wrote into <body data-…>. */
export function pageSettings() {
  const data = document.body.dataset;
  let colors = {};
  try {
    colors = JSON.parse(data.themeColors || '{}');
  } catch {
    colors = {};
  }
  return {
    theme: document.documentElement.dataset.theme || 'default',
    swUrl: data.swUrl || '/kiosk/sw.js',
    socketioUrl: data.socketioUrl || '/vendor/socket.io-client/socket.io.esm.min.js',
    emblemUrl: data.emblemUrl || '',
    themeCssUrl: data.themeCssUrl || '',
    fontCssUrls: (data.fontCssUrls || '').split(' ').filter(Boolean),
    colors,
  };
}

/** Applies the theme.json colours as CSS custom properties (--color-<name>) on the root. */
export function applyThemeColors(colors) {
  for (const [name, value] of Object.entries(colors || {})) {
    if (/^[a-z][a-z0-9-]*$/i.test(name) && typeof value === 'string') {
      document.documentElement.style.setProperty(`--color-${name}`, value);
    }
  }
}

// --- modes -------------------------------------------------------------------------------------

/** Shows the pairing view ("pairing") or the player ("playing"). */
export function setMode(mode) {
  document.body.classList.toggle('is-pairing', mode === 'pairing');
  document.body.classList.toggle('is-playing', mode === 'playing');
  document.body.classList.remove('is-booting');
  const pairing = byId('pairing');
  if (pairing) pairing.hidden = mode !== 'pairing';
  const screen = byId('screen');
  if (screen) screen.hidden = mode === 'pairing';
  if (mode !== 'pairing') {
    setText(document.querySelector('[data-testid=pairing-code]'), '');
    clear(byId('pairing-qr'));
  }
}

// --- header --------------------------------------------------------------------------------------

/** Writes the commune's name (and the kiosk's, for the technician) into the header. */
export function renderHeader(manifest) {
  const unit = manifest?.kiosk?.unit?.name || '';
  setText(byId('unit-name'), unit || 'Bảng tin điện tử công cộng');
  const parent = (manifest?.kiosk?.units || []).find((u) => u.code !== manifest?.kiosk?.unit?.code && u.name);
  setText(byId('unit-parent'), parent ? parent.name : '');
}

/** Updates the clock and both dates for the instant `nowMs`. */
export function renderClock(nowMs, lunar) {
  setText(byId('clock'), formatClock(nowMs));
  setText(byId('solar-date'), formatSolarDate(nowMs));
  const lunarText = lunar?.[vnDateKey(nowMs)] || '';
  setText(byId('lunar-date'), lunarText ? `Âm lịch: ${lunarText}` : '');
  for (const el of document.querySelectorAll('[data-clock]')) setText(el, formatClock(nowMs));
  for (const el of document.querySelectorAll('[data-solar-date]')) setText(el, formatSolarDate(nowMs));
  for (const el of document.querySelectorAll('[data-lunar-date]')) setText(el, lunarText ? `Âm lịch: ${lunarText}` : '');
}

// --- ticker -----------------------------------------------------------------------------------------

const TICKER_SPEED_VH_PER_S = 9; // about two words a second at 4vh type: readable while walking by
let tickerText = null;

/** Sets the scrolling line to `titles` (restarting the scroll only when the text changed). */
export function renderTicker(titles, fallback) {
  const ticker = document.querySelector('[data-testid=ticker]');
  if (!ticker) return;
  const parts = titles.length ? titles : [fallback];
  const text = parts.join('   •   ');
  if (text === tickerText) return;
  tickerText = text;
  const track = h('div', { class: 'ticker-track' });
  // Two copies side by side: the track moves by one copy's width and starts over seamlessly.
  for (let copy = 0; copy < 2; copy++) {
    track.append(h('span', { class: 'ticker-copy', 'aria-hidden': copy ? 'true' : null },
      parts.map((title) => h('span', { class: 'ticker-item' }, title))));
  }
  ticker.replaceChildren(track);
  requestAnimationFrame(() => {
    const copyWidth = track.firstChild.getBoundingClientRect().width;
    const vh = window.innerHeight / 100 || 1;
    const seconds = Math.max(12, copyWidth / (TICKER_SPEED_VH_PER_S * vh));
    track.style.animationDuration = `${seconds.toFixed(1)}s`;
    track.classList.add('is-moving');
  });
}

// --- QR panel -------------------------------------------------------------------------------------

let qrShown = null;

/** Shows `qr` ({url, caption, title}) in the QR panel, or an empty panel for null. */
export function renderQrPanel(qr) {
  const panel = byId('qr-panel');
  if (!panel) return;
  const key = qr ? `${qr.url}\n${qr.caption}\n${qr.title || ''}` : '';
  if (key === qrShown) return;
  qrShown = key;
  if (!qr) {
    panel.replaceChildren(h('div', { class: 'qr-empty' },
      h('div', { class: 'qr-empty-title' }, 'Bảng tin điện tử'),
      h('div', { class: 'qr-empty-text' }, 'Thông tin chính thống của chính quyền địa phương')));
    return;
  }
  const figure = qrElement(qr.url, qr.caption);
  figure.append(h('div', { class: 'qr-host' }, hostOf(qr.target || qr.url)));
  panel.replaceChildren(h('div', { class: 'qr-heading' }, qr.title || 'Quét mã QR'), figure);
}

/** Returns the site a QR code leads to ("dichvucong.gov.vn"), so a citizen knows before scanning. */
function hostOf(url) {
  try {
    return new URL(url).host.replace(/^www\./, '');
  } catch {
    return '';
  }
}

// --- offline badge -------------------------------------------------------------------------------

/** Shows or removes `[data-testid=offline]` (present only while there is no live connection). */
export function setOffline(offline) {
  const existing = document.querySelector('[data-testid=offline]');
  document.body.classList.toggle('is-offline', offline);
  if (offline && !existing) {
    const badge = h('div', { class: 'offline-badge', dataset: { testid: 'offline' }, role: 'status' },
      h('span', { class: 'offline-dot', 'aria-hidden': 'true' }),
      h('span', {}, 'Mất kết nối — đang phát nội dung đã lưu'));
    (byId('status-slot') || document.body).append(badge);
  } else if (!offline && existing) {
    existing.remove();
  }
}

// --- emergency overlay ---------------------------------------------------------------------------

let alertShown = null;

/**
 * Shows `alert` full screen (`[data-testid=alert]`) in the words of `text` (its own or a
 * translation, see alerts.alertTexts), with "n/m" when several take turns; null removes the overlay.
 */
export function renderAlert(alert, { position = 1, count = 1, unitName = '', text = null } = {}) {
  const existing = document.querySelector('[data-testid=alert]');
  if (!alert) {
    alertShown = null;
    if (existing) existing.remove();
    document.body.classList.remove('has-alert');
    return;
  }
  const words = text || { language: 'vi', headline: alert.headline, description: alert.description, instruction: alert.instruction };
  const key = JSON.stringify([alert.id, alert.level, alert.color, alert.expires_at, words, position, count, unitName]);
  if (existing && key === alertShown) return;
  alertShown = key;
  const level = levelOf(alert);
  const { colour, ink } = levelColours(alert);
  const translated = words.language && words.language !== 'vi';
  const overlay = h('section', {
    class: `alert-overlay alert-level-${level}`,
    dataset: { testid: 'alert', alertId: String(alert.id), level: String(level) },
    role: 'alert', 'aria-live': 'assertive',
  },
  h('div', { class: 'alert-band' },
    h('span', { class: 'alert-icon', 'aria-hidden': 'true' }, '!'),
    h('span', { class: 'alert-kind' }, alertKind(alert)),
    translated ? h('span', { class: 'alert-language' }, LANGUAGE_NAMES[words.language] || words.language) : null,
    count > 1 ? h('span', { class: 'alert-count' }, `Cảnh báo ${position}/${count}`) : null),
  h('div', { class: 'alert-level-big', lang: 'vi', 'aria-hidden': 'true' },
    h('span', { class: 'alert-level-big-label' }, 'Cấp độ'),
    h('span', { class: 'alert-level-big-number' }, String(level))),
  h('div', { class: 'alert-body', lang: words.language || 'vi' },
    h('div', { class: 'alert-meta', lang: 'vi' },
      h('span', { class: 'alert-level' }, levelLabel(alert)),
      alert.hazard_name ? h('span', { class: 'alert-hazard' }, alert.hazard_name) : null),
    h('h1', { class: 'alert-headline' }, words.headline || ''),
    words.description ? h('p', { class: 'alert-description' }, words.description) : null,
    words.instruction ? h('div', { class: 'alert-instruction' },
      h('div', { class: 'alert-instruction-label', lang: 'vi' }, 'Người dân cần làm ngay'),
      h('p', {}, words.instruction)) : null),
  h('div', { class: 'alert-foot' },
    h('span', { class: 'alert-source' }, alert.area || unitName ? `Khu vực: ${alert.area || unitName}` : ''),
    alert.expires_at ? h('span', { class: 'alert-expires' }, `Hiệu lực đến ${formatDateTime(alert.expires_at)}`) : null,
    h('span', { class: 'alert-clock', dataset: { clock: '' } }, formatClock(Date.now()))));
  overlay.style.setProperty('--alert-colour', colour);
  overlay.style.setProperty('--alert-ink', ink);
  document.body.classList.add('has-alert');
  if (existing) existing.replaceWith(overlay);
  else document.body.append(overlay);
}

// --- identify ------------------------------------------------------------------------------------

let identifyTimer = null;

/** Shows the kiosk's name big for `seconds` (the officer's "identify" command). */
export function showIdentify(name, unitName, seconds = 10) {
  document.querySelector('.identify-overlay')?.remove();
  clearTimeout(identifyTimer);
  const overlay = h('div', { class: 'identify-overlay', role: 'status' },
    h('div', { class: 'identify-label' }, 'Màn hình này là'),
    h('div', { class: 'identify-name' }, name || 'Chưa đặt tên'),
    unitName ? h('div', { class: 'identify-unit' }, unitName) : null);
  document.body.append(overlay);
  identifyTimer = setTimeout(() => overlay.remove(), seconds * 1000);
}

// --- pairing ------------------------------------------------------------------------------------

/** Shows the pairing code, its QR and when it expires; `status` is a line under them. */
export function renderPairing({ code, pairUrl, expiresAt }, status) {
  setMode('pairing');
  setText(document.querySelector('[data-testid=pairing-code]'), code || '');
  const qrSlot = byId('pairing-qr');
  if (qrSlot) {
    const current = qrSlot.querySelector('[data-testid=qr]');
    if (!pairUrl) clear(qrSlot);
    else if (!current || current.dataset.url !== pairUrl) {
      qrSlot.replaceChildren(qrElement(pairUrl, 'Cán bộ quét mã để ghép nối', 'qr qr-pairing'));
    }
  }
  setText(byId('pairing-expires'), expiresAt ? `Mã có hiệu lực đến ${formatDateTime(expiresAt)}` : '');
  setPairingStatus(status);
}

/** Writes the line under the pairing code (waiting, no server, …). */
export function setPairingStatus(status) {
  setText(byId('pairing-status'), status || '');
}

// --- idle ---------------------------------------------------------------------------------------

/** Returns the calm card shown when nothing is scheduled: the commune, the clock and the date. */
export function idleCard(manifest, emblemUrl, message) {
  const now = Date.now();
  return h('div', { class: 'idle-card' },
    emblemUrl ? h('img', { class: 'idle-emblem', src: emblemUrl, alt: '' }) : null,
    h('div', { class: 'idle-kicker' }, 'Bảng tin điện tử công cộng'),
    h('div', { class: 'idle-unit' }, manifest?.kiosk?.unit?.name || ''),
    h('div', { class: 'idle-clock', dataset: { clock: '' } }, formatClock(now)),
    h('div', { class: 'idle-date', dataset: { solarDate: '' } }, formatSolarDate(now)),
    h('div', { class: 'idle-lunar', dataset: { lunarDate: '' } }),
    h('div', { class: 'idle-message' }, message));
}
