import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Report } from './report.js';
import { MemoryStorage, Store } from './store.js';

function fakeSocket({ connected = true, acks = true } = {}) {
  return {
    connected,
    acks,
    sent: [],
    emit(name, data) { this.sent.push([name, data]); return this.connected; },
    async emitWithAck(name, data) { this.sent.push([name, data]); return this.acks; },
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
  const socket = fakeSocket({ acks: false });
  const report = new Report({ store, socket: () => socket, version: () => 1, currentItem: () => null });
  report.played({ item: 'n1', started_at: '2026-12-01T00:00:00Z', duration_s: 8 });
  await report.flushPlayed();
  assert.equal(store.peekPlayed(10).length, 1, 'not acknowledged: still queued');
  socket.acks = true;
  await report.flushPlayed();
  assert.equal(store.peekPlayed(10).length, 0);
  assert.deepEqual(socket.sent.map(([name]) => name), ['played', 'played']);
});

test('nothing is sent without a live connection, and an alert ack says whether it went out', async () => {
  const store = new Store(new MemoryStorage());
  const report = new Report({ store, socket: () => null, version: () => 1, currentItem: () => null });
  report.played({ item: 'n1' });
  await report.flushPlayed();
  assert.equal(store.peekPlayed(10).length, 1);
  assert.equal(report.ack(4), false);
  const socket = fakeSocket();
  const live = new Report({ store, socket: () => socket, version: () => 1, currentItem: () => null });
  assert.equal(live.ack(4), true);
  assert.deepEqual(socket.sent[0], ['alert_ack', { id: 4 }]);
});
