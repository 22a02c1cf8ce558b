import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import { KEYS, MemoryStorage, Store } from './store.js';
import { Sync } from './sync.js';

const realFetch = globalThis.fetch;
afterEach(() => { globalThis.fetch = realFetch; });

function answer(status, body = null, headers = {}) {
  return new Response(body == null ? null : JSON.stringify(body), { status, headers });
}

function syncWith(store, shown = { current: null }) {
  const events = { manifests: [], unauthorized: 0, dates: [] };
  const sync = new Sync({
    store,
    socketioUrl: '/nowhere.js',
    shown: () => shown.current,
    onManifest: (m) => { shown.current = m; events.manifests.push(m); },
    onUnauthorized: () => { events.unauthorized++; },
    onServerDate: (date) => events.dates.push(date),
  });
  return { sync, events };
}

test('a new manifest is shown and kept with its ETag for the next start', async () => {
  const manifest = { version: 3, items: [] };
  globalThis.fetch = async () => answer(200, manifest, { ETag: '"m1-3"', Date: 'Tue, 01 Dec 2026 01:00:00 GMT' });
  const store = new Store(new MemoryStorage());
  const { sync, events } = syncWith(store);
  assert.equal(sync.start('kt_1'), false, 'nothing kept yet');
  await sync.refresh();
  assert.deepEqual(events.manifests, [manifest]);
  assert.deepEqual(store.getJSON(KEYS.manifest, null), { etag: '"m1-3"', manifest });
  assert.equal(events.dates.length, 1);
  sync.stop();
});

test('the kept manifest is shown at start, and asked for again with its ETag', async () => {
  const store = new Store(new MemoryStorage());
  store.setJSON(KEYS.manifest, { etag: '"m1-2"', manifest: { version: 2, items: [] } });
  const seen = [];
  globalThis.fetch = async (url, options) => { seen.push(options.headers['If-None-Match']); return answer(304); };
  const { sync, events } = syncWith(store);
  assert.equal(sync.start('kt_1'), true);
  await sync.refresh();
  assert.deepEqual(seen, ['"m1-2"']);
  assert.equal(events.manifests.length, 1, 'a 304 shows nothing new');
  sync.stop();
});

test('a refused token is reported once, and a manifest event for the version shown fetches nothing', async () => {
  let calls = 0;
  globalThis.fetch = async () => { calls++; return answer(401); };
  const { sync, events } = syncWith(new Store(new MemoryStorage()), { current: { version: 5, items: [] } });
  sync.start('kt_revoked');
  sync.handleEvent('manifest', { version: 5 });
  assert.equal(calls, 0);
  await sync.refresh();
  assert.equal(events.unauthorized, 1);
  sync.stop();
});

test('a manifest event with a spread fetches once, at a random moment within it', async () => {
  let calls = 0;
  globalThis.fetch = async () => { calls++; return answer(200, { version: 7, items: [] }, { ETag: '"m1-7"' }); };
  const { sync, events } = syncWith(new Store(new MemoryStorage()), { current: { version: 5, items: [] } });
  sync.token = 'kt_1';
  const realRandom = Math.random;
  Math.random = () => 0.5;
  try {
    sync.handleEvent('manifest', { version: 7, spread_s: 0.1 });
    sync.handleEvent('manifest', { version: 7, spread_s: 0.1 });
    assert.equal(calls, 0, 'not at once: the province\'s other screens are fetching too');
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(calls, 1, 'once, half-way through the spread');
    assert.deepEqual(events.manifests.map((m) => m.version), [7]);
  } finally {
    Math.random = realRandom;
    sync.stop();
  }
});

test('a manifest event without a spread fetches at once', async () => {
  let calls = 0;
  globalThis.fetch = async () => { calls++; return answer(304); };
  const { sync } = syncWith(new Store(new MemoryStorage()), { current: { version: 5, items: [] } });
  sync.token = 'kt_1';
  sync.handleEvent('manifest', { version: 6 });
  assert.equal(calls, 1);
  sync.stop();
});
