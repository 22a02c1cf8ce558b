// Emergency alerts on screen: which are active, in which order, and how each level is written.
// Pure: the clock and storage are the caller's.
//
// Levels and colours follow Quyết định 18/2021/QĐ-TTg (1 light blue, 2 light yellow, 3 orange,
// 4 red, 5 purple); the level is always written out too, so colour never carries it alone.
// The server's kiosk_server/domain/hazards.py is their home and sends them with each alert; LEVELS is
// the offline fallback, kept equal to it by tests/vectors/levels.json (see alerts.test.js).

export const LEVELS = Object.freeze({
  1: { colour: '#8fd3f4', ink: '#0b2540', disaster: 'Rủi ro thiên tai nhỏ', other: 'Mức nguy hiểm thấp' },
  2: { colour: '#fff176', ink: '#2b2300', disaster: 'Rủi ro thiên tai trung bình', other: 'Mức nguy hiểm trung bình' },
  3: { colour: '#f57c00', ink: '#1a0d00', disaster: 'Rủi ro thiên tai lớn', other: 'Mức nguy hiểm cao' },
  4: { colour: '#c62828', ink: '#ffffff', disaster: 'Rủi ro thiên tai rất lớn', other: 'Mức nguy hiểm rất cao' },
  5: { colour: '#6a1b9a', ink: '#ffffff', disaster: 'Thảm họa thiên tai', other: 'Mức nguy hiểm đặc biệt nghiêm trọng' },
});

// Emergencies that are not natural disasters: their levels are not "rủi ro thiên tai".
const NOT_DISASTERS = new Set(['fire', 'epidemic', 'security', 'other']);

/** Returns the alert's level as an integer in 1..5 (3 when missing or unreadable). */
export function levelOf(alert) {
  const level = Math.round(Number(alert?.level));
  return level >= 1 && level <= 5 ? level : 3;
}

/**
 * Returns the level written out: "Cấp độ 4 – Rủi ro thiên tai rất lớn". The server's name for a
 * disaster level is used when it sent one; fire, epidemics and security get words of their own.
 */
export function levelLabel(alert) {
  const level = levelOf(alert);
  if (NOT_DISASTERS.has(alert?.hazard)) return `Cấp độ ${level} – ${LEVELS[level].other}`;
  if (typeof alert?.level_name === 'string' && alert.level_name.trim()) return alert.level_name.trim();
  return `Cấp độ ${level} – ${LEVELS[level].disaster}`;
}

const HEX = /^#[0-9a-f]{6}$/i;

/** Returns the overlay's background and text colours: the server's for the level, else ours. */
export function levelColours(alert) {
  const level = LEVELS[levelOf(alert)];
  return {
    colour: HEX.test(alert?.color ?? '') ? alert.color : level.colour,
    ink: HEX.test(alert?.text_color ?? '') ? alert.text_color : level.ink,
  };
}

/** Returns the alert's texts in turn: its own first, then each translation that has a headline. */
export function alertTexts(alert) {
  const own = { language: alert?.language || 'vi', headline: alert?.headline || '', description: alert?.description || '',
    instruction: alert?.instruction || '' };
  const others = (alert?.translations || [])
    .filter((t) => t && t.headline && t.language !== own.language)
    .map((t) => ({ language: t.language, headline: t.headline, description: t.description || '', instruction: t.instruction || '' }));
  return [own, ...others];
}

/** Returns the heading above the alert: a disaster warning or another emergency. */
export function alertKind(alert) {
  return NOT_DISASTERS.has(alert?.hazard) ? 'THÔNG BÁO KHẨN CẤP' : 'CẢNH BÁO THIÊN TAI';
}

function expiresMs(alert) {
  const ms = Date.parse(alert?.expires_at ?? '');
  return Number.isFinite(ms) ? ms : Infinity;
}

/** Returns true while `alert` is in force at `nowMs`: in effect, not cancelled and not past its expiry. */
export function isActive(alert, nowMs) {
  const effective = Date.parse(alert?.effective_at ?? '');
  return Boolean(alert && alert.id != null && !alert.cancelled && expiresMs(alert) > nowMs
    && !(effective > nowMs));
}

/** Returns the alerts in force at `nowMs`, most severe first, then the newest, then by id. */
export function activeAlerts(alerts, nowMs) {
  return Object.values(alerts || {})
    .filter((a) => isActive(a, nowMs))
    .sort((a, b) => levelOf(b) - levelOf(a)
      || String(b.sent_at || b.received_at || '').localeCompare(String(a.sent_at || a.received_at || ''))
      || String(a.id).localeCompare(String(b.id)));
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

/** Returns the map without the alerts that are over at `nowMs` (expired or cancelled); ones not yet in effect stay. */
export function prune(stored, nowMs) {
  const next = {};
  for (const [id, alert] of Object.entries(stored || {})) {
    if (alert && alert.id != null && !alert.cancelled && expiresMs(alert) > nowMs) next[id] = alert;
  }
  return next;
}
