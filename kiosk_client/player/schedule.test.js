// The player's schedule against the shared vectors (`tests/vectors/schedule.json`, also run by
// `tests/domain/test_schedule_vectors.py`), plus what only JavaScript can get wrong.
// Run: cd kiosk_client && node --test player/

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  MAX_DELAY_MS,
  VN_OFFSET_MS,
  evaluate,
  isActive,
  itemFromJson,
  nextChangeDelay,
  nextTransition,
  rulesFromJson,
} from './schedule.js';

const VECTORS = new URL('../../tests/vectors/schedule.json', import.meta.url);
const CASES = JSON.parse(readFileSync(VECTORS, 'utf8')).cases;

/** Parse an ISO string with the platform's Date parser, independent of the module under test. */
function when(iso) {
  const date = new Date(iso);
  assert.ok(!Number.isNaN(date.getTime()), `the test itself needs a valid instant: ${iso}`);
  return date;
}

/** Return an instant on the Viet Nam clock (month 1–12). */
function vn(year, month, day, hour = 0, minute = 0, second = 0, ms = 0) {
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - VN_OFFSET_MS);
}

function item(id, { priority = 'normal', sortKey = [], ...rules } = {}) {
  return itemFromJson({ id, priority, duration_s: 15, sort_key: sortKey, rules });
}

const ids = (playlist) => playlist.items.map((entry) => entry.id);

describe('shared vectors', () => {
  test('are many, and each has its own name', () => {
    const names = CASES.map((vector) => vector.name);
    assert.ok(names.length >= 25, `only ${names.length} vectors`);
    assert.equal(new Set(names).size, names.length);
  });

  for (const vector of CASES) {
    test(vector.name, () => {
      const playlist = evaluate(vector.items.map(itemFromJson), when(vector.now));

      const expected = vector.expect;
      assert.deepEqual(ids(playlist), expected.items);
      assert.equal(playlist.interrupting, expected.interrupting);
      if (expected.next_change === null) {
        assert.equal(playlist.nextChange, null);
      } else {
        assert.ok(playlist.nextChange instanceof Date);
        assert.equal(playlist.nextChange.getTime(), when(expected.next_change).getTime());
      }
    });
  }
});

describe('order within a level', () => {
  const now = vn(2026, 11, 22, 12);

  test('numbers in sort_key compare numerically, strings by their characters', () => {
    const approved = '2026-11-20T08:00:00+07:00';
    const byNumber = [item('ten', { sortKey: [approved, 10] }), item('nine', { sortKey: [approved, 9] })];
    const byString = [item('ten', { sortKey: ['10'] }), item('nine', { sortKey: ['9'] })];

    assert.deepEqual(ids(evaluate(byNumber, now)), ['nine', 'ten']);
    assert.deepEqual(ids(evaluate(byString, now)), ['ten', 'nine']);
  });

  test('a shorter sort_key that is a prefix comes first; ties fall back to the id', () => {
    const items = [
      item('b', { sortKey: [1, 2] }),
      item('c', { sortKey: [1] }),
      item('a', { sortKey: [1, 2] }),
    ];

    assert.deepEqual(ids(evaluate(items, now)), ['c', 'a', 'b']);
  });

  test('strings compare by code point as in Python, not by UTF-16 unit', () => {
    // U+FF5E (one unit) < U+1F600 (a surrogate pair starting 0xD83D, which `<` would put first).
    const items = [item('emoji', { sortKey: ['\u{1F600}'] }), item('tilde', { sortKey: ['\uFF5E'] })];

    assert.deepEqual(ids(evaluate(items, now)), ['tilde', 'emoji']);
    assert.deepEqual(ids(evaluate([item('\u{1F600}'), item('\uFF5E')], now)), ['\uFF5E', '\u{1F600}']);
  });

  test('booleans equal their numbers, as in Python', () => {
    const items = [item('b', { sortKey: [true, 0] }), item('a', { sortKey: [1, 0] })];

    assert.deepEqual(ids(evaluate(items, now)), ['a', 'b']);
  });

  test('a string against a number is a TypeError, as in Python', () => {
    const items = [item('a', { sortKey: ['x'] }), item('b', { sortKey: [1] })];

    assert.throws(() => evaluate(items, now), TypeError);
  });

  test('input order never matters', () => {
    const items = [
      item('n2'),
      item('p1', { priority: 'priority', sortKey: ['2026-11-21'] }),
      item('n1'),
      item('p0', { priority: 'priority', sortKey: ['2026-11-20'] }),
    ];
    const expected = ['p0', 'p1', 'n1', 'n2'];

    assert.deepEqual(ids(evaluate(items, now)), expected);
    assert.deepEqual(ids(evaluate([...items].reverse(), now)), expected);
  });
});

describe('hour ranges', () => {
  test('a Sunday 22:00–02:00 range runs into Monday morning, across the end of the week', () => {
    const rules = rulesFromJson({ days: [7], hours: [['22:00', '02:00']] });

    assert.equal(isActive(rules, vn(2026, 11, 22, 1)), false); // Sunday 01:00 belongs to Saturday night
    assert.equal(isActive(rules, vn(2026, 11, 22, 21, 59, 59, 999)), false);
    assert.equal(isActive(rules, vn(2026, 11, 22, 22)), true);
    assert.equal(isActive(rules, vn(2026, 11, 23, 1, 59, 59, 999)), true); // Monday, begun Sunday
    assert.equal(isActive(rules, vn(2026, 11, 23, 2)), false);
    assert.equal(isActive(rules, vn(2026, 11, 28, 23)), false); // Saturday night
    assert.deepEqual(nextTransition(rules, vn(2026, 11, 22, 12)), vn(2026, 11, 22, 22));
    assert.deepEqual(nextTransition(rules, vn(2026, 11, 22, 22)), vn(2026, 11, 23, 2));
    assert.deepEqual(nextTransition(rules, vn(2026, 11, 23, 2)), vn(2026, 11, 29, 22));
  });

  test('Saturday and Sunday 22:00–02:00 join into one run over Sunday midnight', () => {
    const rules = rulesFromJson({ days: [6, 7], hours: [['22:00', '02:00']] });

    assert.equal(isActive(rules, vn(2026, 11, 22, 1)), true); // Sunday 01:00, begun Saturday
    assert.deepEqual(nextTransition(rules, vn(2026, 11, 21, 23)), vn(2026, 11, 22, 2));
    assert.deepEqual(nextTransition(rules, vn(2026, 11, 23, 1)), vn(2026, 11, 23, 2));
  });

  test('a range that wraps on every day of the week never switches', () => {
    const rules = rulesFromJson({ hours: [['06:00', '06:00']] });

    assert.equal(isActive(rules, vn(2026, 11, 23, 5)), true);
    assert.equal(nextTransition(rules, vn(2026, 11, 23, 5)), null);
  });

  test('weekdays are read on the Viet Nam clock whatever the Date was built from', () => {
    const rules = rulesFromJson({ days: [1], hours: [['07:00', '08:00']] });

    assert.equal(isActive(rules, when('2026-11-23T00:30:00Z')), true); // 07:30 Monday in Viet Nam
    assert.equal(isActive(rules, when('2026-11-23T07:30:00Z')), false);
    assert.deepEqual(nextTransition(rules, when('2026-11-23T00:30:00Z')), when('2026-11-23T08:00:00+07:00'));
  });

  test('instants long before the epoch Monday still fall on the right weekday', () => {
    const rules = rulesFromJson({ days: [3] }); // Wednesday 1 January 1975

    assert.equal(isActive(rules, vn(1975, 1, 1, 12)), true);
    assert.deepEqual(nextTransition(rules, vn(1975, 1, 1, 12)), vn(1975, 1, 2));
  });
});

describe('JSON', () => {
  test('a datetime without an offset is refused', () => {
    for (const naive of ['2026-11-22T08:00:00', '2026-11-22 08:00', '2026-11-22']) {
      assert.throws(() => rulesFromJson({ starts_at: naive }), Error, naive);
    }
    assert.throws(() => rulesFromJson({ ends_at: '2026-11-22T08:00:00' }), /offset/);
  });

  test('malformed values are refused', () => {
    for (const rules of [
      { starts_at: '2026-02-29T08:00:00+07:00' }, // not a leap year
      { starts_at: '2026-11-22T24:00:00+07:00' },
      { starts_at: 1_700_000_000 },
      { hours: [['8:00', '10:00']] },
      { hours: [['08:00']] },
      { hours: 'morning' },
      { days: ['1'] },
      { days: [1.5] },
    ]) {
      assert.throws(() => rulesFromJson(rules), Error, JSON.stringify(rules));
    }
    assert.throws(() => itemFromJson({ id: 'a', priority: 'urgent', duration_s: 15 }), /priority/);
    assert.throws(() => itemFromJson({ id: 'a', priority: 'normal', duration_s: 0 }), /duration_s/);
    assert.throws(() => itemFromJson({ id: 'a', priority: 'normal' }), /duration_s/);
  });

  test('Z, other offsets and fractions of a second read as the same instants as in Python', () => {
    const at = (iso) => rulesFromJson({ starts_at: iso }).startsAt.getTime();

    assert.equal(at('2026-11-22T01:00:00Z'), vn(2026, 11, 22, 8).getTime());
    assert.equal(at('2026-11-21T20:00:00-05:00'), vn(2026, 11, 22, 8).getTime());
    assert.equal(at('2026-11-22T08:00+07:00'), vn(2026, 11, 22, 8).getTime());
    assert.equal(at('2026-11-22T08:00:00.25+07:00'), vn(2026, 11, 22, 8, 0, 0, 250).getTime());
    const firstYear = new Date(0);
    firstYear.setUTCFullYear(1, 0, 1); // Date.UTC would read year 1 as 1901
    assert.equal(at('0001-01-01T00:00:00+07:00'), firstYear.getTime() - VN_OFFSET_MS);
  });

  test('a bound between two milliseconds rounds up, so every millisecond agrees with Python', () => {
    const rules = rulesFromJson({
      starts_at: '2026-11-22T08:00:00.000001+07:00',
      ends_at: '2026-11-22T09:00:00.999001+07:00',
    });

    assert.equal(isActive(rules, vn(2026, 11, 22, 8)), false); // 08:00:00.000 is before the start
    assert.equal(isActive(rules, vn(2026, 11, 22, 8, 0, 0, 1)), true);
    assert.deepEqual(nextTransition(rules, vn(2026, 11, 22, 7)), vn(2026, 11, 22, 8, 0, 0, 1));
    assert.equal(isActive(rules, vn(2026, 11, 22, 9, 0, 0, 999)), true); // .999000 < .999001
    assert.deepEqual(nextTransition(rules, vn(2026, 11, 22, 8, 30)), vn(2026, 11, 22, 9, 0, 1));
  });

  test('items ignore what else the manifest carries and keep their id, level and order key', () => {
    const parsed = itemFromJson({
      id: 'n7',
      priority: 'priority',
      duration_s: 12.5,
      sort_key: ['2026-11-20T08:00:00+07:00', 7],
      rules: { starts_at: null, ends_at: '2026-11-23T17:00:00+07:00', days: [2, 1, 2], hours: [] },
      title: 'Lịch họp dân',
      media: [{ sha256: 'ab', type: 'image/png' }],
    });

    assert.deepEqual(Object.keys(parsed).sort(), ['durationS', 'id', 'priority', 'rules', 'sortKey']);
    assert.equal(parsed.durationS, 12.5);
    assert.deepEqual(parsed.sortKey, ['2026-11-20T08:00:00+07:00', 7]);
    assert.deepEqual(parsed.rules.days, [1, 2]);
    assert.deepEqual(parsed.rules.endsAt, vn(2026, 11, 23, 17));
    assert.ok(Object.isFrozen(parsed) && Object.isFrozen(parsed.rules) && Object.isFrozen(parsed.sortKey));
  });

  test('missing or empty rules mean no restriction; impossible weekdays mean never', () => {
    const always = itemFromJson({ id: 'a', priority: 'normal', duration_s: 5 });

    assert.deepEqual(ids(evaluate([always], vn(2026, 11, 22))), ['a']);
    assert.equal(isActive(rulesFromJson({ days: [0, 8] }), vn(2026, 11, 22)), false);
    assert.equal(nextTransition(rulesFromJson({ days: [0, 8] }), vn(2026, 11, 22)), null);
  });

  test('hour strings are read as Python reads them, quirks included', () => {
    // Python's `$` matches before a final newline and its `\d` takes any decimal digit.
    const quirky = rulesFromJson({ hours: [['08:00\n', '1\u0665:0\u{1D7EB}']] });
    assert.deepEqual(quirky.hours, [['08:00', '15:09']]);
    assert.throws(() => rulesFromJson({ hours: [['08:00\n\n', '10:00']] }));
    assert.throws(() => rulesFromJson({ hours: [['\u0660\u0668:00', '10:00']] }));
  });
});

describe('nextChangeDelay', () => {
  const now = vn(2026, 11, 22, 12);

  test('is the time until the next change', () => {
    const playlist = evaluate([item('a', { ends_at: '2026-11-22T12:00:05+07:00' })], now);

    assert.equal(nextChangeDelay(playlist, now), 5000);
  });

  test('is capped at a day, far below the 2**31 - 1 ms setTimeout overflows at', () => {
    const playlist = evaluate([item('a', { ends_at: '2027-11-22T12:00:00+07:00' })], now);

    assert.equal(nextChangeDelay(playlist, now), MAX_DELAY_MS);
    assert.equal(MAX_DELAY_MS, 24 * 3_600_000);
    assert.equal(nextChangeDelay(evaluate([item('b')], now), now), MAX_DELAY_MS); // never changes
  });

  test('is never negative when the change is already past', () => {
    const playlist = evaluate([item('a', { ends_at: '2026-11-22T12:00:05+07:00' })], now);

    assert.equal(nextChangeDelay(playlist, vn(2026, 11, 22, 13)), 0);
  });
});

describe('against a reading of the rules straight from their definition', () => {
  // A slow reference: the Viet Nam date and time of day, then each hour range from the day it
  // started on (today, or yesterday for a range that wraps).
  function referenceIsActive(json, at) {
    const t = at.getTime();
    if (json.starts_at && t < when(json.starts_at).getTime()) return false;
    if (json.ends_at && t >= when(json.ends_at).getTime()) return false;
    const local = new Date(t + VN_OFFSET_MS); // read with UTC getters
    const sinceMidnight = ((local.getUTCHours() * 60 + local.getUTCMinutes()) * 60 + local.getUTCSeconds()) * 1000;
    const midnight = t - sinceMidnight - local.getUTCMilliseconds();
    const isoDay = (ms) => ((new Date(ms + VN_OFFSET_MS).getUTCDay() + 6) % 7) + 1;
    const dayAllowed = (ms) => !json.days.length || json.days.includes(isoDay(ms));
    if (!json.hours.length) return dayAllowed(midnight);
    const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
    for (const [start, end] of json.hours) {
      for (const startedOn of [midnight, midnight - 86_400_000]) {
        const begin = startedOn + minutes(start) * 60_000;
        const finish = startedOn + (minutes(end) > minutes(start) ? 0 : 86_400_000) + minutes(end) * 60_000;
        if (dayAllowed(startedOn) && begin <= t && t < finish) return true;
      }
    }
    return false;
  }

  // A small deterministic generator (mulberry32), so a failure is reproducible.
  function random(seed) {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let x = Math.imul(a ^ (a >>> 15), 1 | a);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
    };
  }

  test('isActive and nextTransition agree with it around week ends, new year and the leap day', () => {
    const next = random(20261122);
    const pick = (list) => list[Math.floor(next() * list.length)];
    const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
    const iso = (date) => new Date(date.getTime() + VN_OFFSET_MS).toISOString().slice(0, 19) + '+07:00';
    const clock = () => `${String(int(0, 23)).padStart(2, '0')}:${pick(['00', '00', '30'])}`;

    for (let round = 0; round < 400; round += 1) {
      const anchor = pick([vn(2027, 12, 29), vn(2028, 2, 26), vn(2026, 11, 20)]).getTime();
      // On the hour or on the minute, within eight days of the anchor.
      const around = () =>
        new Date(anchor + (next() < 0.5 ? int(0, 8 * 24) * 3_600_000 : int(0, 8 * 24 * 60) * 60_000));
      const bound = () => (next() < 0.4 ? null : iso(around()));
      const json = {
        starts_at: bound(),
        ends_at: bound(),
        days: [...new Set(Array.from({ length: int(0, 3) }, () => int(1, 7)))].sort((a, b) => a - b),
        hours: Array.from({ length: int(0, 3) }, () =>
          next() < 0.1 ? ['00:00', '00:00'] : [clock(), clock()],
        ),
      };
      const rules = rulesFromJson(json);
      const at = new Date(around().getTime() + pick([0, 0, 0, 1, 999, 59_999, -1]));

      const active = isActive(rules, at);
      const context = `${JSON.stringify(json)} at ${at.toISOString()}`;
      assert.equal(active, referenceIsActive(json, at), context);
      const change = nextTransition(rules, at);
      if (change !== null) {
        assert.ok(change > at);
        assert.equal(referenceIsActive(json, new Date(change.getTime() - 1)), active, `${context}: early`);
        for (let t = at.getTime() + 29 * 60_000; t < change.getTime(); t += 29 * 60_000) {
          assert.equal(referenceIsActive(json, new Date(t)), active, 'changed before the transition');
        }
        assert.notEqual(referenceIsActive(json, change), active, `${context}: no change at ${change.toISOString()}`);
      } else {
        // Nothing changes any more: sample the next two weeks.
        for (let minute = 1; minute < 14 * 24 * 60; minute += 29) {
          assert.equal(referenceIsActive(json, new Date(at.getTime() + minute * 60_000)), active);
        }
      }
    }
  });
});
