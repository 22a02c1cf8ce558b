import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Report } from './report.js';
import { MemoryStorage, Store } from './store.js';

function fakeSocket({ connected = true, acks = true, stored = { ok: true } } = {}) {
  return {
    connected,
    acks,
    stored,
    sent: [],
    timeouts: [],
    emit(name, data) { this.sent.push([name, data]); return this.connected; },
    async emitWithAck(name, data) { this.sent.push([name, data]); return this.acks; },
    async call(name, data, timeoutMs) { this.sent.push([name, data]); this.timeouts.push(timeoutMs); return this.stored; },
  };
}

test('the heartbeat names the manifest version, the item on screen and the uptime', () => {
  const socket = fakeSocket();
  const report = new Report({
    store: new Store(new MemoryStorage()), socket: () => socket, version: () => 7, currentItem: () => 'n3',
    bootMs: Date.now() - 90000,
  });
  report.heartbeat();
  assert.deepEqual(socket.sent, [['heartbeat', { version: 7, current_item: 'n3', uptime_s: 90 }]]);
});

test('play records are kept until the server acknowledged them', async () => {
  const store = new Store(new MemoryStorage());
  const socket = fakeSocket({ stored: null });
  const report = new Report({ store, socket: () => socket, version: () => 1, currentItem: () => null });
  report.played({ item: 'n1', started_at: '2026-12-01T00:00:00Z', duration_s: 8 });
  await report.flushPlayed();
  assert.equal(store.peekPlayed(10).length, 1, 'not acknowledged: still queued');
  socket.stored = { ok: false };
  await report.flushPlayed();
  assert.equal(store.peekPlayed(10).length, 1, 'over the rate limit: still queued');
  socket.stored = { ok: true, stored: 0, refused: 1 };
  await report.flushPlayed();
  assert.equal(store.peekPlayed(10).length, 0);
  assert.deepEqual(socket.sent.map(([name]) => name), ['played', 'played', 'played']);
});

test('nothing is sent without a live connection, and an alert receipt counts only once the server stored it', async () => {
  const store = new Store(new MemoryStorage());
  const report = new Report({ store, socket: () => null, version: () => 1, currentItem: () => null });
  report.played({ item: 'n1' });
  await report.flushPlayed();
  assert.equal(store.peekPlayed(10).length, 1);
  assert.equal(await report.ack(4), false);
  const socket = fakeSocket({ stored: { ok: false } });
  const live = new Report({ store, socket: () => socket, version: () => 1, currentItem: () => null });
  assert.equal(await live.ack(4), false, 'the server could not store it: the screen sends it again later');
  socket.stored = { ok: true };
  assert.equal(await live.ack(4), true);
  assert.deepEqual(socket.sent, [['alert_ack', { id: 4 }], ['alert_ack', { id: 4 }]]);
  assert.ok(socket.timeouts.every((ms) => ms > 0), 'an unanswered receipt gives up and is sent again');
});

test('an alert is marked acknowledged only after the server confirms, and resent until then', async () => {
  const { AlertBoard } = await import('./emergency.js');
  const answers = [false, true];
  const asked = [];
  const board = new AlertBoard({
    store: new Store(new MemoryStorage()), now: () => Date.now(),
    ack: async (id) => { asked.push(id); return answers.shift(); },
  });
  board.alerts = { 9: { id: 9, shown: true, acked: false } };
  board.flushAcks();
  board.flushAcks(); // one receipt in flight at a time
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(board.alerts[9].acked, false, 'not confirmed: not acknowledged');
  board.flushAcks();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(asked, [9, 9]);
  assert.equal(board.alerts[9].acked, true);
});
