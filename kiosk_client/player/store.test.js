import assert from 'node:assert/strict';
import { test } from 'node:test';

import { KEYS, MAX_PLAYED, MemoryStorage, Store } from './store.js';

test('play records queue up while offline and leave only once sent', () => {
  const store = new Store(new MemoryStorage());
  store.queuePlayed([{ item: 'n1' }, { item: 'n2' }]);
  store.queuePlayed([{ item: 'n3' }]);
  assert.deepEqual(store.peekPlayed(2).map((e) => e.item), ['n1', 'n2']);
  store.dropPlayed(2);
  assert.deepEqual(store.peekPlayed(10).map((e) => e.item), ['n3']);
});

test('the queue is capped: a week offline cannot fill the storage', () => {
  const store = new Store(new MemoryStorage());
  const many = Array.from({ length: MAX_PLAYED + 10 }, (_, i) => ({ item: `n${i}` }));
  assert.equal(store.queuePlayed(many), MAX_PLAYED);
  assert.equal(store.peekPlayed(1)[0].item, 'n10', 'the oldest go first');
});

test('corrupt or unavailable storage never stops the player', () => {
  const memory = new MemoryStorage();
  memory.setItem(KEYS.manifest, '{not json');
  const store = new Store(memory);
  assert.equal(store.getJSON(KEYS.manifest, null), null);
  const broken = new Store({
    getItem() { throw new Error('denied'); },
    setItem() { throw new DOMException('full', 'QuotaExceededError'); },
    removeItem() { throw new Error('denied'); },
  });
  assert.equal(broken.get(KEYS.token), null);
  assert.equal(broken.set(KEYS.token, 'x'), false);
  broken.remove(KEYS.token);
});

test('forgetting the kiosk keeps a pairing in progress', () => {
  const store = new Store(new MemoryStorage());
  for (const key of Object.values(KEYS)) store.set(key, 'x');
  store.forgetKiosk();
  assert.deepEqual(Object.values(KEYS).filter((k) => store.get(k) !== null), [KEYS.pending, KEYS.pairing]);
});
