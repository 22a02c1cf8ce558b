/**
 * When notices play: the schedule rules, the playlist for an instant, and when it next changes.
 *
 * This is the player's mirror of `kiosk_server/domain/schedule.py`: what a kiosk shows is a pure
 * function of its manifest and its clock (DESIGN.md, "Invariants"), so an offline kiosk drops
 * expired notices and honours time windows on its own. `tests/vectors/schedule.json` holds the
 * cases both sides must agree on (`schedule.test.js` runs them here). Change the two together.
 *
 * The model (read the Python module docstring for the full text):
 *
 * - A notice is active at an instant when the instant lies in its window `[starts_at, ends_at)`
 *   (either bound may be open) AND on one of its weekdays AND within one of its hour ranges.
 * - Weekdays and hours are read on the Viet Nam wall clock, a fixed UTC+07:00 (`VN_OFFSET_MS`): no
 *   time zone database, every local day is exactly 24 hours long.
 * - An hour range `[start, end)` with `end <= start` wraps past midnight and the weekday rule is
 *   checked against the day the range started on; `00:00–00:00` is the whole day.
 * - Active emergency notices interrupt: the loop is only them. Otherwise priority notices lead,
 *   then normal ones. Within a level the order is `(sort_key, id)` compared as Python compares
 *   tuples.
 *
 * Precision. The Python side counts whole microseconds; a JavaScript Date holds whole milliseconds.
 * Stored datetimes are whole seconds and hour ranges whole minutes, so in practice nothing is lost.
 * Should a datetime carry a fraction of a millisecond, each window bound is rounded UP to the next
 * millisecond: an instant `t` in whole milliseconds satisfies `t >= bound` exactly when
 * `t >= ceil(bound)`, so `isActive` and `evaluate` here agree with Python at every millisecond, and
 * `nextChange` is the first millisecond at which the result differs.
 *
 * Instants are counted in milliseconds ("ticks") from `EPOCH`, a Monday 00:00 in Viet Nam, so a
 * position in the week is `ticks mod WEEK`. The weekday and hour rules repeat every week and are
 * compiled once into the positions where they switch on or off (a pattern, cached by days + hours),
 * so `isActive` and `nextTransition` are a binary search, never a scan.
 *
 * Where this cannot match Python exactly (all outside what the server writes into a manifest):
 * - Datetimes: Python's `datetime.fromisoformat` accepts many ISO 8601 spellings, and which ones
 *   depends on the Python version. This parser accepts `YYYY-MM-DD`, `T` or a space, `HH:MM` or
 *   `HH:MM:SS` with an optional 1–6 digit fraction, then `Z` or `±HH:MM` (optionally `:SS`), and
 *   refuses everything else, including a missing offset. Every string it accepts, Python 3.11+
 *   reads as the same instant; Python accepts more (basic format, week dates, ...). Offsets with
 *   a fraction of a second are refused here: Python 3.11 itself misreads some of them.
 * - JSON numbers: JavaScript cannot tell `1` from `1.0`, so `days: [1.0]` (refused by Python,
 *   which wants ints) is accepted here, and integers beyond 2**53 lose precision in sort keys.
 * - Ids: Python applies `str()` to any id; here strings, numbers, booleans and null are converted
 *   the same way (`True`, `None`, ...) and objects or arrays are refused. Use string ids.
 * - Sort keys of mixed types (a string where another item has a number, null, objects): Python
 *   raises TypeError when its sort compares such a pair, and so does this module, but the two sorts
 *   may not compare the same pairs. Keep every sort key the same shape, as the manifest does.
 * - Instants past the year 9999 raise OverflowError in Python; a Date goes further.
 * - Hour strings follow Python's regex `^([01]\d|2[0-3]):([0-5]\d)$` to the letter, including its
 *   quirks: `\d` matches any Unicode decimal digit and `$` also matches before a final "\n". The
 *   Unicode version behind `\p{Nd}` here may be newer than Python's `unicodedata`.
 */

/** Viet Nam's wall clock: UTC+07:00 all year (no daylight saving since 1975). */
export const VN_OFFSET_MS = 7 * 3_600_000;

/** The longest delay `nextChangeDelay` returns: one day, well inside setTimeout's 2**31 - 1 ms. */
export const MAX_DELAY_MS = 86_400_000;

export const NORMAL = 'normal';
export const PRIORITY = 'priority';
export const EMERGENCY = 'emergency';
/** Priority levels after Thông tư 39/2020/TT-BTTTT, lowest first. */
export const PRIORITIES = Object.freeze([NORMAL, PRIORITY, EMERGENCY]);

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
// Monday 1 January 2024, 00:00 in Viet Nam. Any Monday works: ticks before it are negative and
// `mod` still gives the right position in the week.
const EPOCH = Date.UTC(2024, 0, 1) - VN_OFFSET_MS;

// --- public API ------------------------------------------------------------------------------------

/**
 * Return the rules a `rules_to_json` object describes; missing keys mean "no restriction".
 *
 * The result is frozen: `{startsAt: Date|null, endsAt: Date|null, days: number[], hours:
 * [string, string][]}` with days sorted and distinct (impossible weekdays such as 8 are kept, as
 * Python keeps them, and never match) and hours as "HH:MM". Throws an Error for malformed values,
 * including datetimes without an offset.
 */
export function rulesFromJson(data) {
  if (!isPlainObject(data)) {
    throw new TypeError(`rules are a JSON object, not ${show(data)}`);
  }
  const hours = [];
  const hourTicks = [];
  const rawHours = data.hours;
  if (truthy(rawHours)) {
    if (!Array.isArray(rawHours)) throw new Error(`hours are a list of ranges, not ${show(rawHours)}`);
    for (const pair of rawHours) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new Error(`an hour range is a [start, end] pair, not ${show(pair)}`);
      }
      const start = minutesFromJson(pair[0]);
      const end = minutesFromJson(pair[1]);
      hours.push(Object.freeze([hhmm(start), hhmm(end)]));
      hourTicks.push([start * MINUTE, end * MINUTE]);
    }
  }
  const rawDays = data.days;
  let days = [];
  if (truthy(rawDays)) {
    if (!Array.isArray(rawDays) || !rawDays.every((day) => Number.isInteger(day))) {
      throw new Error(`days are ISO weekday numbers, not ${show(rawDays)}`);
    }
    days = [...new Set(rawDays.map((day) => day + 0))].sort((a, b) => a - b); // + 0: -0 is 0
  }
  const start = ticksFromJson(data.starts_at);
  const end = ticksFromJson(data.ends_at);
  const rules = Object.freeze({
    startsAt: fromTicks(start),
    endsAt: fromTicks(end),
    days: Object.freeze(days),
    hours: Object.freeze(hours),
  });
  COMPILED.set(rules, { start, end, pattern: pattern(days, hourTicks) });
  return rules;
}

/**
 * Return the item an `item_to_json` object describes: `{id, priority, durationS, sortKey, rules}`
 * (frozen). Keys the manifest adds for the player (title, media, ...) are ignored; keep the
 * manifest entry by `id`. Throws an Error for malformed values.
 */
export function itemFromJson(data) {
  if (!isPlainObject(data)) throw new TypeError(`an item is a JSON object, not ${show(data)}`);
  for (const key of ['id', 'priority', 'duration_s']) {
    if (!Object.hasOwn(data, key)) throw new Error(`an item needs '${key}'`);
  }
  const id = pyStr(data.id);
  const priority = data.priority;
  if (!PRIORITIES.includes(priority)) {
    throw new Error(`priority must be one of ${PRIORITIES.join(', ')}, not ${show(priority)}`);
  }
  const durationS = data.duration_s;
  if (typeof durationS !== 'number' || !Number.isFinite(durationS) || !(durationS > 0)) {
    throw new Error(`duration_s must be a positive number of seconds, not ${show(durationS)}`);
  }
  const sortKey = freeze(truthy(data.sort_key) ? data.sort_key : []);
  const rules = rulesFromJson(truthy(data.rules) ? data.rules : {});
  return Object.freeze({ id, priority, durationS, sortKey, rules });
}

/** Return true when a notice with these rules may play at the instant `at` (a Date). */
export function isActive(rules, at) {
  return state(compiled(rules), instant(at, 'at'))[0];
}

/**
 * Return the earliest instant strictly after `after` at which `isActive` changes, or null.
 *
 * "Changes" means differs from `isActive(rules, after)`: touching hour ranges (08:00–10:00 and
 * 10:00–12:00) make no transition at 10:00. Null means the answer stays the same forever: the
 * window has closed, the rules can never match, or they match at every instant from now on.
 */
export function nextTransition(rules, after) {
  return fromTicks(state(compiled(rules), instant(after, 'after'))[1]);
}

/**
 * Return the playlist for the instant `now` (a Date): `{items, interrupting, nextChange}`.
 *
 * Only items active at `now` play. If any emergency item is active the loop is exactly the active
 * emergency items and `interrupting` is true. Otherwise active priority items lead and active
 * normal items follow. Each group is ordered by `(sortKey, id)`, so the input order never matters.
 *
 * `nextChange` (a Date, or null: never again) is the earliest instant after `now` at which `items`
 * or `interrupting` differ. While emergencies interrupt only emergency items can change the loop,
 * so it is the earliest transition of an emergency item; otherwise of any item.
 */
export function evaluate(items, now) {
  const t = instant(now, 'now');
  const groups = { [EMERGENCY]: [], [PRIORITY]: [], [NORMAL]: [] };
  let nextAny = null;
  let nextEmergency = null;
  for (const item of items) {
    const [active, next] = state(compiled(item.rules), t);
    if (active) {
      const group = groups[item.priority];
      if (group === undefined) throw new Error(`priority must be one of ${PRIORITIES.join(', ')}`);
      group.push(item);
    }
    if (next !== null) {
      if (nextAny === null || next < nextAny) nextAny = next;
      if (item.priority === EMERGENCY && (nextEmergency === null || next < nextEmergency)) {
        nextEmergency = next;
      }
    }
  }
  for (const group of Object.values(groups)) group.sort(playOrder);
  if (groups[EMERGENCY].length) {
    return Object.freeze({
      items: Object.freeze(groups[EMERGENCY]),
      interrupting: true,
      nextChange: fromTicks(nextEmergency),
    });
  }
  return Object.freeze({
    items: Object.freeze([...groups[PRIORITY], ...groups[NORMAL]]),
    interrupting: false,
    nextChange: fromTicks(nextAny),
  });
}

/**
 * Return how many milliseconds after `now` (a Date) to evaluate again: until
 * `playlist.nextChange`, never below 0 and never above `MAX_DELAY_MS` (a day; browsers fire at
 * once for setTimeout delays beyond 2**31 - 1 ms). A playlist that never changes also gets the
 * cap, so a kiosk re-reads its clock at least daily. A timer may fire early or late by a few
 * milliseconds: evaluate again with the real clock when it fires rather than trusting the delay.
 */
export function nextChangeDelay(playlist, now) {
  const t = instant(now, 'now');
  const next = playlist.nextChange;
  if (next === null || next === undefined) return MAX_DELAY_MS;
  const delay = instant(next, 'playlist.nextChange') - t;
  return Math.min(MAX_DELAY_MS, Math.max(0, delay));
}

// --- the weekly pattern ------------------------------------------------------------------------------

/**
 * The weekday and hour rules as the positions in the week (ms from Monday 00:00) where they
 * switch, plus whether they hold just before Monday 00:00. The state at a position is that state
 * flipped once per switch at or before it.
 */
class Pattern {
  constructor(onBeforeWeek, switches) {
    this.onBeforeWeek = onBeforeWeek;
    this.switches = Object.freeze(switches);
    Object.freeze(this);
  }

  /** Return whether the weekday and hour rules hold at `ticks`. */
  onAt(ticks) {
    const flips = bisectRight(this.switches, mod(ticks, WEEK));
    return this.onBeforeWeek !== ((flips & 1) === 1);
  }

  /** Return the first tick after `ticks` where the rules switch, or null if they never do. */
  nextSwitch(ticks) {
    const switches = this.switches;
    if (!switches.length) return null;
    const position = mod(ticks, WEEK);
    const index = bisectRight(switches, position);
    if (index < switches.length) return ticks - position + switches[index];
    return ticks - position + WEEK + switches[0];
  }
}

const ALWAYS = new Pattern(true, []);
const NEVER = new Pattern(false, []);

// Notices share a handful of patterns (every day, office hours, weekdays): compile each once.
const PATTERNS = new Map();
const PATTERN_CACHE_SIZE = 16_384;
// Rules objects → {start, end, pattern} in ticks, so evaluating thousands of items parses nothing.
const COMPILED = new WeakMap();

/** Return the compiled weekly pattern of `days` (sorted, distinct) and `hours` ([start, end] ms). */
function pattern(days, hours) {
  const key = `${days.join(',')}|${hours.map((pair) => pair.join('-')).join(',')}`;
  let found = PATTERNS.get(key);
  if (found === undefined) {
    found = compilePattern(days, hours);
    if (PATTERNS.size >= PATTERN_CACHE_SIZE) PATTERNS.delete(PATTERNS.keys().next().value);
    PATTERNS.set(key, found);
  }
  return found;
}

function compilePattern(days, hours) {
  let weekdays;
  if (days.length) {
    weekdays = days.filter((day) => day >= 1 && day <= 7).map((day) => day - 1);
    if (!weekdays.length) return NEVER; // only impossible weekdays: a rule that matches no day
  } else {
    weekdays = [0, 1, 2, 3, 4, 5, 6];
  }
  let spans;
  if (!hours.length) {
    if (weekdays.length === 7) return ALWAYS;
    spans = [[0, DAY]];
  } else {
    // end <= start wraps into the next day; this also makes 00:00–00:00 the whole day.
    spans = hours.map(([begin, finish]) => [begin, finish > begin ? finish : finish + DAY]);
    spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }
  // Lay the spans out day after day from Monday 00:00 and merge overlapping or touching ones.
  // Starts come in order (weekdays and spans are sorted, every start lies within its day), so one
  // pass merges them. A span may reach into the next day, and Sunday's past the week.
  const merged = [];
  let beginRun = -1;
  let endRun = -1;
  for (const weekday of weekdays) {
    const offset = weekday * DAY;
    for (const [spanBegin, spanFinish] of spans) {
      const begin = spanBegin + offset;
      const finish = spanFinish + offset;
      if (begin <= endRun) {
        endRun = Math.max(endRun, finish);
      } else {
        if (endRun >= 0) merged.push([beginRun, endRun]);
        beginRun = begin;
        endRun = finish;
      }
    }
  }
  merged.push([beginRun, endRun]);
  // Whatever runs past the end of the week continues from Monday 00:00, joining what it reaches.
  const [lastBegin, lastEnd] = merged[merged.length - 1];
  if (lastEnd > WEEK) {
    let overflow = lastEnd - WEEK;
    if (overflow >= lastBegin) return ALWAYS;
    merged[merged.length - 1] = [lastBegin, WEEK];
    let joined = 0;
    // Runs are disjoint and do not touch, so the overflow never reaches the last run here.
    while (merged[joined][0] <= overflow) {
      overflow = Math.max(overflow, merged[joined][1]);
      joined += 1;
    }
    merged.splice(0, joined, [0, overflow]);
  }
  const switches = merged.flat();
  const onBeforeWeek = switches[switches.length - 1] === WEEK;
  if (onBeforeWeek) {
    // The end of the week is Monday 00:00 again: a run starting there continues the one ending
    // there (no switch at all); otherwise the rules switch off at Monday 00:00.
    switches.pop();
    if (switches[0] === 0) switches.shift();
    else switches.unshift(0);
  }
  return new Pattern(onBeforeWeek, switches);
}

/** Return [active at tick `t`, first tick after `t` where that changes or null]. */
function state({ start, end, pattern: rulesPattern }, t) {
  if ((end !== null && t >= end) || (start !== null && end !== null && start >= end)) {
    return [false, null]; // the window is closed for good (or never opens)
  }
  let opens;
  if (start !== null && t < start) {
    // Inactive until the window opens; from then on it is the first instant the pattern holds.
    if (rulesPattern.onAt(start)) return [false, start];
    opens = rulesPattern.nextSwitch(start);
  } else if (rulesPattern.onAt(t)) {
    let closes = rulesPattern.nextSwitch(t);
    if (end !== null && (closes === null || end < closes)) closes = end;
    return [true, closes];
  } else {
    opens = rulesPattern.nextSwitch(t);
  }
  if (opens === null || (end !== null && opens >= end)) return [false, null];
  return [false, opens];
}

/** Return the compiled form of `rules` (from `rulesFromJson`, or a hand-made object of its shape). */
function compiled(rules) {
  let found = COMPILED.get(rules);
  if (found === undefined) {
    if (rules === null || typeof rules !== 'object') {
      throw new TypeError(`rules come from rulesFromJson, not ${show(rules)}`);
    }
    const days = [...new Set(rules.days ?? [])].sort((a, b) => a - b);
    if (!days.every((day) => Number.isInteger(day))) throw new Error('days are ISO weekday numbers');
    const hours = (rules.hours ?? []).map(([begin, end]) => [
      minutesFromJson(begin) * MINUTE,
      minutesFromJson(end) * MINUTE,
    ]);
    found = {
      start: rules.startsAt == null ? null : instant(rules.startsAt, 'startsAt') - EPOCH,
      end: rules.endsAt == null ? null : instant(rules.endsAt, 'endsAt') - EPOCH,
      pattern: pattern(days, hours),
    };
    COMPILED.set(rules, found);
  }
  return found;
}

// --- order within a level: Python's tuple comparison -------------------------------------------------

/** Compare two items (or anything with `sortKey` and `id`) by `(sortKey, id)`, as Python sorts them. */
export function playOrder(a, b) {
  return pyOrder(a.sortKey, b.sortKey) || compareCodePoints(a.id, b.id);
}

/**
 * Compare two JSON values as Python compares what `json.loads` and `_freeze` make of them: 0 when
 * Python's `==` holds, else -1 or 1 as its `<` decides. Sequences compare element by element (the
 * first unequal pair decides, then the length), numbers and booleans numerically, strings by code
 * point. Throws TypeError where Python's `<` raises it (a string against a number, null, objects).
 */
function pyOrder(a, b) {
  if (a === b) return 0;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (isNumeric(a) && isNumeric(b)) {
    const x = +a;
    const y = +b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i += 1) {
      const order = pyOrder(a[i], b[i]);
      if (order !== 0) return order;
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }
  if (pyEqual(a, b)) return 0; // equal objects, as Python's tuple comparison first asks `==`
  throw new TypeError(`sort keys cannot compare ${pyType(a)} with ${pyType(b)}`);
}

function pyEqual(a, b) {
  if (isNumeric(a) && isNumeric(b)) return +a === +b;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((value, i) => pyEqual(value, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && pyEqual(a[key], b[key]))
    );
  }
  return false;
}

/** Compare strings by Unicode code point, as Python does (JavaScript's `<` compares UTF-16 units). */
function compareCodePoints(a, b) {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i += 1;
  if (i < length) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1; // no surrogates involved: units are code points
  }
  // Step back onto a shared high surrogate, so that both code points are read from their start.
  if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1))) i -= 1;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(i);
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - i > 0 ? 1 : b.length - i > 0 ? -1 : 0;
}

function isHighSurrogate(unit) {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isNumeric(value) {
  return typeof value === 'number' || typeof value === 'boolean';
}

function pyType(value) {
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'tuple';
  if (typeof value === 'string') return 'str';
  if (isNumeric(value)) return 'number';
  return 'dict';
}

// --- conversions ---------------------------------------------------------------------------------------

// Python's `_HHMM`, `^([01]\d|2[0-3]):([0-5]\d)$`, read as Python reads it: `\d` is any Unicode
// decimal digit and `$` also matches just before a final newline.
const HHMM = /^([01]\p{Nd}|2[0-3]):([0-5]\p{Nd})\n?$/u;
const ND = /^\p{Nd}$/u;

/** Return the minutes after midnight of an "HH:MM" string. */
function minutesFromJson(value) {
  const match = typeof value === 'string' ? HHMM.exec(value) : null;
  if (match === null) throw new Error(`a time is written HH:MM, not ${show(value)}`);
  return pyInt(match[1]) * 60 + pyInt(match[2]);
}

/** Return the value of a string of decimal digits of any script, as Python's int() does. */
function pyInt(digits) {
  let value = 0;
  for (const char of digits) value = value * 10 + digitValue(char.codePointAt(0));
  return value;
}

function digitValue(codePoint) {
  if (codePoint >= 0x30 && codePoint <= 0x39) return codePoint - 0x30;
  // Unicode encodes every set of decimal digits as ten contiguous code points, 0 to 9, so the
  // value is the distance from the start of the run of digits, modulo 10.
  let start = codePoint;
  while (ND.test(String.fromCodePoint(start - 1))) start -= 1;
  return (codePoint - start) % 10;
}

function hhmm(minutes) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

const ISO_DATETIME = new RegExp(
  '^(\\d{4})-(\\d{2})-(\\d{2})[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,6}))?)?' +
    '(?:(Z)|([+-])(\\d{2}):(\\d{2})(?::(\\d{2}))?)$',
);

/**
 * Return the ticks of an ISO 8601 datetime string with an offset, or null for null/undefined.
 * A fraction of a millisecond rounds up (see "Precision" at the top).
 */
function ticksFromJson(value) {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new Error(`a datetime is an ISO 8601 string, not ${show(value)}`);
  const match = ISO_DATETIME.exec(value);
  if (match === null) {
    if (/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?$/.test(value)) {
      // A naive datetime could be UTC or Viet Nam time; guessing would shift notices by 7 hours.
      throw new Error(`the datetime ${show(value)} needs an offset such as +07:00`);
    }
    throw new Error(`a datetime is an ISO 8601 string with an offset, not ${show(value)}`);
  }
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offH, offM, offS] =
    match.map((part) => part ?? '');
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    throw new Error(`the datetime ${show(value)} is not a calendar date`);
  }
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    throw new Error(`the datetime ${show(value)} is not a time of day`);
  }
  if (!zulu && (Number(offH) > 23 || Number(offM) > 59 || Number(offS) > 59)) {
    throw new Error(`the datetime ${show(value)} has an impossible offset`);
  }
  // Exact integer arithmetic; the offset is whole seconds, so only the fraction needs rounding.
  const localMs =
    daysFromCivil(y, mo, d) * DAY + ((Number(hour) * 60 + Number(minute)) * 60 + Number(second)) * 1000;
  const offsetSign = sign === '-' ? -1 : 1;
  const offsetMs = zulu ? 0 : ((Number(offH) * 60 + Number(offM)) * 60 + Number(offS)) * 1000;
  const micros = Number(fraction.padEnd(6, '0'));
  return localMs - offsetSign * offsetMs + Math.ceil(micros / 1000) - EPOCH;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year, month) {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Return the ticks of a Date; a JavaScript Date is always an instant, never naive. */
function instant(value, name) {
  if (!(value instanceof Date)) throw new TypeError(`${name} must be a Date, not ${show(value)}`);
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${name} is an invalid Date`);
  return ms - EPOCH;
}

function fromTicks(ticks) {
  return ticks === null ? null : new Date(EPOCH + ticks);
}

function bisectRight(sorted, value) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value < sorted[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function mod(a, n) {
  const r = a % n;
  return r < 0 ? r + n : r;
}

/** Python's truthiness of a JSON value (`data.get(key) or default`). */
function truthy(value) {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/** Python's str() of a JSON scalar. */
function pyStr(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  throw new Error(`an item id is a string, not ${show(value)}`);
}

/** Copy a sort key deeply and freeze it (Python turns lists into tuples). */
function freeze(value) {
  if (Array.isArray(value)) return Object.freeze(value.map(freeze));
  return value;
}

function show(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
