import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { freshItems } from './preview.js';

const here = new URL('.', import.meta.url);

/** Returns every module `name` reaches through its static imports. */
function reached(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const source = readFileSync(new URL(name, here), 'utf8');
  for (const [, target] of source.matchAll(/from '\.\/([^']+)'/g)) reached(target, seen);
  return seen;
}

test('the preview never reaches the socket, the reports or the service worker', () => {
  const modules = reached('preview.js');
  for (const name of ['sync.js', 'net.js', 'report.js', 'offline.js', 'pairing.js', 'main.js']) {
    assert.ok(!modules.has(name), `preview.js reaches ${name}`);
  }
  assert.ok(modules.has('display.js') && modules.has('stage.js'), 'it draws with the real player');
});

test('each manifest the editor sends gets new item ids, so the edited item replaces the one on screen', () => {
  const manifest = { version: 0, items: [{ id: 'n0', title: 'A' }], links: [] };
  const first = freshItems(manifest, 1);
  const second = freshItems(manifest, 2);
  assert.notEqual(first.items[0].id, second.items[0].id);
  assert.equal(first.items[0].title, 'A');
  assert.equal(manifest.items[0].id, 'n0', 'the message itself is left alone');
});

test('a previewed playlist keeps its order when its items are renamed', () => {
  const manifest = {
    items: [{ id: 'n4', title: 'Giờ làm việc' }],
    playlists: [{ id: 'p0', mode: 'exclusive', entries: [{ id: 'p0.0' }, { notice: 'n4' }], items: [{ id: 'p0.0' }] }],
  };
  const fresh = freshItems(manifest, 3);
  assert.deepEqual(fresh.playlists[0].entries, [{ id: 'p0.0~3' }, { notice: 'n4~3' }]);
  assert.equal(fresh.playlists[0].items[0].id, 'p0.0~3');
  assert.equal(fresh.items[0].id, 'n4~3');
});
