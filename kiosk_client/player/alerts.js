// Emergency alerts on screen: which are active, in which order, and how each level is written.
// Pure: the clock and storage are the caller's.
//
// Levels and colours follow Quyết định 18/2021/QĐ-TTg (1 light blue, 2 light yellow, 3 orange,
// 4 red, 5 purple); the level is always written out too, so colour never carries it alone.

export const LEVELS = Object.freeze({
  1: { colour: '#8fd3f4', ink: '#06212e', disaster: 'Rủi ro thiên tai nhỏ', other: 'Mức nguy hiểm thấp' },
  2: { colour: '#fff176', ink: '#2b2400', disaster: 'Rủi ro thiên tai trung bình', other: 'Mức nguy hiểm trung bình' },
  3: { colour: '#fb8c00', ink: '#1f1000', disaster: 'Rủi ro thiên tai lớn', other: 'Mức nguy hiểm cao' },
  4: { colour: '#d50000', ink: '#ffffff', disaster: 'Rủi ro thiên tai rất lớn', other: 'Mức nguy hiểm rất cao' },
  5: { colour: '#6a1b9a', ink: '#ffffff', disaster: 'Thảm họa thiên tai', other: 'Mức nguy hiểm đặc biệt nghiêm trọng' },
});

// Emergencies that are not natural disasters: their levels are not "rủi ro thiên tai".
const NOT_DISASTERS = new Set(['fire', 'epidemic', 'security', 'other']);

/** Returns the alert's level as an integer in 1..5 (3 when missing or unreadable). */
export function levelOf(alert) {
  const level = Math.round(Number(alert?.level));
  return level >= 1 && level <= 5 ? level : 3;
}

/** Returns the level written out: "Cấp độ 4 — Rủi ro thiên tai rất lớn". */
export function levelLabel(alert) {
  const level = levelOf(alert);
  const words = NOT_DISASTERS.has(alert?.hazard) ? LEVELS[level].other : LEVELS[level].disaster;
  return `Cấp độ ${level} — ${words}`;
}

/** Returns the heading above the alert: a disaster warning or another emergency. */
export function alertKind(alert) {
  return NOT_DISASTERS.has(alert?.hazard) ? 'THÔNG BÁO KHẨN CẤP' : 'CẢNH BÁO THIÊN TAI';
}

function expiresMs(alert) {
  const ms = Date.parse(alert?.expires_at ?? '');
  return Number.isFinite(ms) ? ms : Infinity;
}

/** Returns true while `alert` is in force at `nowMs`: not cancelled and not past its expiry. */
export function isActive(alert, nowMs) {
  return Boolean(alert && alert.id != null && !alert.cancelled && expiresMs(alert) > nowMs);
}

/** Returns the alerts in force at `nowMs`, most severe first, then the newest, then by id. */
export function activeAlerts(alerts, nowMs) {
  return Object.values(alerts || {})
    .filter((a) => isActive(a, nowMs))
    .sort((a, b) => levelOf(b) - levelOf(a)
      || String(b.sent_at || b.received_at || '').localeCompare(String(a.sent_at || a.received_at || ''))
      || String(a.id).localeCompare(String(b.id)));
}

/** Returns the earliest expiry after `nowMs` among the active alerts, in ms, or null. */
export function nextExpiry(alerts, nowMs) {
  const times = activeAlerts(alerts, nowMs).map(expiresMs).filter(Number.isFinite);
  return times.length ? Math.min(...times) : null;
}

/**
 * Returns the alert map after the manifest said which alerts are active (`fromManifest`).
 *
 * The manifest is the truth at `generatedMs`; an alert that came over the socket after that instant
 * is kept even if the manifest does not list it yet (the two raced). Whether an alert was already
 * acknowledged is remembered. Expired and cancelled entries are dropped, so the map never grows.
 */
export function mergeManifestAlerts(stored, fromManifest, generatedMs, nowMs) {
  const merged = {};
  for (const alert of fromManifest || []) {
    if (alert && alert.id != null) merged[alert.id] = { ...alert, acked: Boolean(stored?.[alert.id]?.acked) };
  }
  for (const alert of Object.values(stored || {})) {
    if (!(alert.id in merged) && Number(alert.received_ms) > generatedMs && !alert.cancelled) merged[alert.id] = alert;
  }
  return prune(merged, nowMs);
}

/** Returns the map with `alert` (just received) added or updated. */
export function addAlert(stored, alert, nowMs) {
  if (!alert || alert.id == null) return prune(stored, nowMs);
  const previous = stored?.[alert.id];
  return prune({ ...stored, [alert.id]: { ...alert, received_ms: nowMs, acked: Boolean(previous?.acked) } }, nowMs);
}

/** Returns the map without the alert `id`. */
export function cancelAlert(stored, id) {
  const next = { ...stored };
  delete next[id];
  return next;
}

/** Returns the map with only the alerts active at `nowMs`. */
export function prune(stored, nowMs) {
  const next = {};
  for (const [id, alert] of Object.entries(stored || {})) if (isActive(alert, nowMs)) next[id] = alert;
  return next;
}
