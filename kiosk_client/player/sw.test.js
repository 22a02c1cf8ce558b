import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const here = new URL('.', import.meta.url);

test('the service worker precaches every player module, so a reload works offline', () => {
  const source = readFileSync(new URL('sw.js', here), 'utf8');
  const listed = /const PLAYER_FILES = \[([^\]]*)\]/.exec(source)[1].match(/'([^']+\.js)'/g).map((s) => s.slice(1, -1));
  const modules = readdirSync(here).filter((name) => name.endsWith('.js') && !name.endsWith('.test.js') && name !== 'sw.js');
  assert.deepEqual([...listed].sort(), modules.sort());
});

test('every module the player imports is one the worker knows', () => {
  const modules = readdirSync(here).filter((name) => name.endsWith('.js') && !name.endsWith('.test.js'));
  for (const name of modules) {
    const source = readFileSync(new URL(name, here), 'utf8');
    for (const [, target] of source.matchAll(/from '\.\/(?:player\/)?([^']+)'/g)) {
      assert.ok(modules.includes(target), `${name} imports ${target}, which does not exist`);
    }
  }
});
