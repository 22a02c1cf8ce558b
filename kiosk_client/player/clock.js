// The Viet Nam wall clock for the header, and a correction for screens whose own clock is wrong.
//
// Viet Nam keeps UTC+07:00 all year (see domain/schedule.py), so dates are read by shifting the
// instant by seven hours and taking its UTC fields: no time zone data is needed in the browser.

const VN_OFFSET_MS = 7 * 3600 * 1000;

export const WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

const pad = (n) => String(n).padStart(2, '0');

/** Returns the Viet Nam wall-clock fields of the instant `ms` (weekday 0 = Sunday). */
export function vnParts(ms) {
  const d = new Date(ms + VN_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
  };
}

/** Returns "HH:MM" on the 24-hour Viet Nam clock. */
export function formatClock(ms) {
  const p = vnParts(ms);
  return `${pad(p.hours)}:${pad(p.minutes)}`;
}

/** Returns the solar date as a Vietnamese screen writes it: "Thứ Hai, 23/11/2026". */
export function formatSolarDate(ms) {
  const p = vnParts(ms);
  return `${WEEKDAYS[p.weekday]}, ${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** Returns "dd/mm/yyyy". */
export function formatDate(ms) {
  const p = vnParts(ms);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** Returns "HH:MM dd/mm/yyyy", or "" for a missing or unreadable instant. */
export function formatDateTime(value) {
  const ms = typeof value === 'number' ? value : Date.parse(value ?? '');
  return Number.isFinite(ms) ? `${formatClock(ms)} ${formatDate(ms)}` : '';
}

/** Returns the key of the Viet Nam calendar day of `ms` in the manifest's `lunar` map: "2026-11-23". */
export function vnDateKey(ms) {
  const p = vnParts(ms);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/**
 * Returns how far the server's clock is ahead of ours, in ms, from an HTTP `Date` header read at
 * `localMs`; 0 when the header is missing or the two agree within `toleranceMs`.
 *
 * A Raspberry Pi has no battery clock: booted without network it can be hours off, which would play
 * the wrong notices. The Date header has one-second resolution, so small differences are ignored.
 */
export function clockSkew(dateHeader, localMs, toleranceMs = 30000) {
  const serverMs = Date.parse(dateHeader ?? '');
  if (!Number.isFinite(serverMs)) return 0;
  const skew = serverMs - localMs;
  return Math.abs(skew) > toleranceMs ? skew : 0;
}
