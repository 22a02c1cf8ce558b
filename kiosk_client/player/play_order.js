/**
 * The rules of play: the loop a screen plays at an instant, once playlists (chương trình phát) join
 * notices. The player's mirror of `kiosk_server/domain/play_order.py` (read its docstring for the
 * rules); `tests/vectors/play_order.json` holds the cases both must agree on. Change the two together.
 *
 * - Active emergency notices interrupt everything: the loop is only them.
 * - An active exclusive playlist takes the screen: its items only (the first such playlist in
 *   playlist order, should two be active).
 * - Otherwise priority notices lead, then each active mixed playlist's items in its order
 *   (playlists by the officer's priority, higher first, then sort key and id), then the remaining
 *   normal notices. A notice item plays only while the notice is itself active, once per loop;
 *   notices in `playlistOnly` play only in their place inside a running playlist.
 */

import { evaluate, isActive, nextTransition, playOrder, rulesFromJson } from './schedule.js';

export const MIXED = 'mixed';
export const EXCLUSIVE = 'exclusive';

/** Return the programme a `programme_to_json` object describes (frozen). Throws for malformed values. */
export function programmeFromJson(data) {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('a playlist is a JSON object');
  for (const key of ['id', 'mode', 'entries']) {
    if (!Object.hasOwn(data, key)) throw new Error(`a playlist needs '${key}'`);
  }
  if (![MIXED, EXCLUSIVE].includes(data.mode)) throw new Error(`mode must be mixed or exclusive, not ${data.mode}`);
  const priority = data.priority ?? 0;
  if (!Number.isInteger(priority)) throw new Error(`priority is a whole number, not ${priority}`);
  if (!Array.isArray(data.entries)) throw new Error('entries are a list');
  const entries = data.entries.map((raw) => {
    if (!raw || typeof raw !== 'object') throw new Error('an entry is an object');
    const notice = raw.notice ?? null;
    if (notice === null && (raw.id === undefined || raw.id === null)) throw new Error('an entry names a notice or its own id');
    return Object.freeze(notice !== null ? { id: null, notice: String(notice) } : { id: String(raw.id), notice: null });
  });
  return Object.freeze({
    id: String(data.id),
    mode: data.mode,
    priority,
    sortKey: Object.freeze([...(data.sort_key || [])]),
    rules: rulesFromJson(data.rules || {}),
    entries: Object.freeze(entries),
  });
}

/**
 * Return the loop for the instant `now` (a Date): `{items: ids, interrupting, exclusive, nextChange}`.
 * `items` are schedule items (`itemFromJson`), `programmes` from `programmeFromJson`.
 */
export function order(items, programmes, now, playlistOnly = []) {
  const base = evaluate(items, now);
  if (base.interrupting) {
    return Object.freeze({ items: base.items.map((item) => item.id), interrupting: true, exclusive: null,
      nextChange: base.nextChange });
  }
  let nextChange = base.nextChange;
  const running = [];
  for (const programme of programmes) {
    if (isActive(programme.rules, now)) running.push(programme);
    const following = nextTransition(programme.rules, now);
    if (following !== null && (nextChange === null || following < nextChange)) nextChange = following;
  }
  running.sort(programmeOrder);

  const active = base.items.map((item) => item.id);
  const activeSet = new Set(active);
  const byId = new Map(base.items.map((item) => [item.id, item]));
  const loop = [];
  const taken = new Set();
  const add = (id) => {
    if (!taken.has(id)) {
      taken.add(id);
      loop.push(id);
    }
  };
  const addProgramme = (programme) => {
    for (const entry of programme.entries) {
      if (entry.notice === null) add(entry.id);
      else if (activeSet.has(entry.notice)) add(entry.notice);
    }
  };

  const exclusive = running.find((p) => p.mode === EXCLUSIVE);
  if (exclusive) {
    addProgramme(exclusive);
    return Object.freeze({ items: loop, interrupting: false, exclusive: exclusive.id, nextChange });
  }
  const hidden = new Set(playlistOnly);
  for (const id of active) if (byId.get(id).priority === 'priority' && !hidden.has(id)) add(id);
  for (const programme of running) addProgramme(programme);
  for (const id of active) if (!hidden.has(id)) add(id);
  return Object.freeze({ items: loop, interrupting: false, exclusive: null, nextChange });
}

function programmeOrder(a, b) {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return playOrder(a, b);
}
