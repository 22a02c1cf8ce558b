import assert from 'node:assert/strict';
import { test } from 'node:test';

import { clockSkew, formatClock, formatDateTime, formatSolarDate, vnDateKey } from './clock.js';

test('the header reads the Viet Nam clock whatever the machine\'s time zone', () => {
  const instant = Date.parse('2026-11-23T01:05:00Z'); // 08:05 in Viet Nam
  assert.equal(formatClock(instant), '08:05');
  assert.equal(formatSolarDate(instant), 'Thứ Hai, 23/11/2026');
  assert.equal(vnDateKey(instant), '2026-11-23');
});

test('the date turns at midnight in Viet Nam, not in UTC', () => {
  const beforeMidnight = Date.parse('2026-11-22T16:59:59Z');
  const midnight = Date.parse('2026-11-22T17:00:00Z');
  assert.equal(formatSolarDate(beforeMidnight), 'Chủ nhật, 22/11/2026');
  assert.equal(formatClock(beforeMidnight), '23:59');
  assert.equal(formatSolarDate(midnight), 'Thứ Hai, 23/11/2026');
  assert.equal(formatClock(midnight), '00:00');
});

test('an alert\'s expiry is written HH:MM dd/mm/yyyy', () => {
  assert.equal(formatDateTime('2026-11-23T18:30:00+07:00'), '18:30 23/11/2026');
  assert.equal(formatDateTime(null), '');
  assert.equal(formatDateTime('not a date'), '');
});

test('a screen clock far from the server\'s is corrected; a small difference is ignored', () => {
  const server = 'Mon, 23 Nov 2026 01:05:00 GMT';
  const local = Date.parse('2026-11-23T01:05:10Z');
  assert.equal(clockSkew(server, local), 0);
  assert.equal(clockSkew(server, Date.parse('2026-11-23T00:00:00Z')), 3900000);
  assert.equal(clockSkew(null, local), 0);
});
