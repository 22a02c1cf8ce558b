// The player's rules of play against the shared vectors (`tests/vectors/play_order.json`, also run by
// `tests/domain/test_play_order_vectors.py`). Run: cd kiosk_client && node --test player/

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { order, programmeFromJson } from './play_order.js';
import { itemFromJson } from './schedule.js';

const VECTORS = new URL('../../tests/vectors/play_order.json', import.meta.url);
const CASES = JSON.parse(readFileSync(VECTORS, 'utf8')).cases;

describe('shared rules-of-play vectors', () => {
  test('are many, and each has its own name', () => {
    const names = CASES.map((vector) => vector.name);
    assert.ok(names.length >= 20, `only ${names.length} vectors`);
    assert.equal(new Set(names).size, names.length);
  });

  for (const vector of CASES) {
    test(vector.name, () => {
      const loop = order(vector.items.map(itemFromJson), vector.playlists.map(programmeFromJson),
        new Date(vector.now), vector.playlist_only || []);

      const expected = vector.expect;
      assert.deepEqual([...loop.items], expected.items);
      assert.equal(loop.interrupting, expected.interrupting);
      assert.equal(loop.exclusive, expected.exclusive);
      if (expected.next_change === null) assert.equal(loop.nextChange, null);
      else assert.equal(loop.nextChange.getTime(), new Date(expected.next_change).getTime());
    });
  }
});

test('a playlist that is neither mixed nor exclusive is refused', () => {
  assert.throws(() => programmeFromJson({ id: 'p1', mode: 'broadcast', entries: [] }), /mode/);
});
