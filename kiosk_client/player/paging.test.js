import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fitCount, paginate } from './paging.js';

// Blocks are heights; a page fits when their sum is at most 100.
const fits = (page) => page.reduce((sum, h) => sum + h, 0) <= 100;

test('blocks fill each page in order and overflow to the next', () => {
  assert.deepEqual(paginate([30, 30, 30, 30, 50, 60], fits), [[30, 30, 30], [30, 50], [60]]);
});

test('a short notice is one page; no blocks make no pages', () => {
  assert.deepEqual(paginate([20, 20], fits), [[20, 20]]);
  assert.deepEqual(paginate([], fits), []);
});

// Splits a tall block so that its first part fills what is left of the page.
const split = (h, page) => {
  const room = 100 - page.reduce((sum, x) => sum + x, 0);
  return room > 0 && h > room ? [room, h - room] : null;
};

test('a block taller than the room left is split: it continues on the next page, leaving no hole', () => {
  assert.deepEqual(paginate([40, 250, 10], fits, split), [[40, 60], [100], [90, 10]]);
});

test('a split whose first part would not fit is refused and the page closes instead', () => {
  const bad = (h) => [h, 1];
  assert.deepEqual(paginate([90, 50], fits, bad), [[90], [50]]);
});

test('a block that cannot be split gets a page of its own instead of stopping the pager', () => {
  assert.deepEqual(paginate([10, 500, 10], fits), [[10], [500], [10]]);
});

test('fitCount finds how many words fit, at least one', () => {
  assert.equal(fitCount(100, (n) => n <= 37), 37);
  assert.equal(fitCount(100, (n) => n <= 100), 100);
  assert.equal(fitCount(100, () => false), 1);
  assert.equal(fitCount(1, () => false), 1);
  let calls = 0;
  fitCount(1000, (n) => {
    calls++;
    return n <= 500;
  });
  assert.ok(calls <= 12, `binary search, not a scan (${calls} measurements)`);
});
