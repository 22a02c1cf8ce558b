import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Backoff, backoffDelay } from './backoff.js';

test('delays double from one second and stop growing at the one-minute cap', () => {
  const none = () => 0; // no jitter: the ceiling itself
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, {}, none)),
    [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
});

test('jitter spreads a delay over half to all of its ceiling, never past the cap', () => {
  assert.equal(backoffDelay(2, {}, () => 0.999999), 2000);
  assert.equal(backoffDelay(2, {}, () => 0.5), 3000);
  assert.equal(backoffDelay(50, {}, () => 0.999999), 30000);
  assert.equal(backoffDelay(50, {}, () => 0), 60000);
});

test('a thousand screens at the cap come back spread over thirty seconds, not at once', () => {
  let seed = 42; // mulberry32: a small, well-spread, repeatable generator
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const delays = Array.from({ length: 1000 }, () => backoffDelay(10, {}, random));
  const perSecond = new Map();
  for (const d of delays) perSecond.set(Math.floor(d / 1000), (perSecond.get(Math.floor(d / 1000)) || 0) + 1);
  assert.ok(Math.min(...delays) >= 30000 && Math.max(...delays) <= 60000);
  assert.ok(Math.max(...perSecond.values()) < 80, 'no second gets more than a small share');
});

test('odd attempts (negative, fractional, huge) give sane delays', () => {
  assert.equal(backoffDelay(-3, {}, () => 0), 1000);
  assert.equal(backoffDelay(1.7, {}, () => 0), 2000);
  assert.equal(backoffDelay(1e9, {}, () => 0), 60000);
});

test('Backoff counts retries and starts over after a success', () => {
  const backoff = new Backoff({}, () => 0);
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [1000, 2000, 4000]);
  backoff.reset();
  assert.equal(backoff.next(), 1000);
});
