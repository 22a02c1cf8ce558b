import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseRange, rangeResponse } from './range.js';

test('parseRange reads the forms a video element sends', () => {
  assert.deepEqual(parseRange('bytes=0-', 1000), { start: 0, end: 999 });
  assert.deepEqual(parseRange('bytes=100-199', 1000), { start: 100, end: 199 });
  assert.deepEqual(parseRange('bytes=900-5000', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 });
  assert.deepEqual(parseRange(' Bytes = 5 - 9 ', 1000), { start: 5, end: 9 });
});

test('parseRange ignores what it cannot serve as one range, and flags ranges past the end', () => {
  for (const header of [undefined, '', 'items=0-1', 'bytes=-', 'bytes=0-1,5-9', 'bytes=9-5', 'bytes=a-b']) {
    assert.equal(parseRange(header, 1000), null, String(header));
  }
  assert.deepEqual(parseRange('bytes=1000-', 1000), { unsatisfiable: true });
  assert.deepEqual(parseRange('bytes=-0', 1000), { unsatisfiable: true });
  assert.deepEqual(parseRange('bytes=0-', 0), { unsatisfiable: true });
});

const body = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));
const cached = () => new Response(body, { status: 200, headers: { 'Content-Type': 'video/mp4' } });
const ask = (range) => new Request('http://kiosk.test/media/abc', range ? { headers: { Range: range } } : {});

test('a cached 200 is sliced into a 206 with Content-Range', async () => {
  const response = await rangeResponse(ask('bytes=10-19'), cached());
  assert.equal(response.status, 206);
  assert.equal(response.headers.get('Content-Range'), 'bytes 10-19/256');
  assert.equal(response.headers.get('Content-Length'), '10');
  assert.equal(response.headers.get('Content-Type'), 'video/mp4');
  assert.equal(response.headers.get('Accept-Ranges'), 'bytes');
  assert.deepEqual([...new Uint8Array(await response.arrayBuffer())], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
});

test('an open range runs to the end of the file', async () => {
  const response = await rangeResponse(ask('bytes=250-'), cached());
  assert.equal(response.headers.get('Content-Range'), 'bytes 250-255/256');
  assert.deepEqual([...new Uint8Array(await response.arrayBuffer())], [250, 251, 252, 253, 254, 255]);
});

test('no Range header gives back the cached response itself', async () => {
  const original = cached();
  assert.equal(await rangeResponse(ask(null), original), original);
});

test('a range past the end is a 416 naming the size', async () => {
  const response = await rangeResponse(ask('bytes=300-'), cached());
  assert.equal(response.status, 416);
  assert.equal(response.headers.get('Content-Range'), 'bytes */256');
});

test('a range the worker cannot serve gets the whole file as a 200', async () => {
  const response = await rangeResponse(ask('bytes=0-1,4-5'), cached());
  assert.equal(response.status, 200);
  assert.equal((await response.arrayBuffer()).byteLength, 256);
});
