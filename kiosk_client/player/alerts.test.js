import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  activeAlerts, addAlert, alertKind, alertTexts, cancelAlert, isActive, levelColours, levelLabel, LEVELS, mergeManifestAlerts, prune,
} from './alerts.js';

const NOW = Date.parse('2026-11-23T10:00:00+07:00');
const alert = (id, level, expires = '2026-11-23T18:00:00+07:00', extra = {}) => ({ id, level, expires_at: expires, hazard: 'storm', headline: id, ...extra });

test('levels are written out, so colour never carries them alone', () => {
  assert.equal(levelLabel(alert('a', 4)), 'Cấp độ 4 – Rủi ro thiên tai rất lớn');
  assert.equal(levelLabel(alert('a', 5)), 'Cấp độ 5 – Thảm họa thiên tai');
  assert.equal(levelLabel(alert('a', 1)), 'Cấp độ 1 – Rủi ro thiên tai nhỏ');
  assert.equal(levelLabel({ level: 2, hazard: 'fire' }), 'Cấp độ 2 – Mức nguy hiểm trung bình');
  assert.equal(alertKind({ hazard: 'flood' }), 'CẢNH BÁO THIÊN TAI');
  assert.equal(alertKind({ hazard: 'epidemic' }), 'THÔNG BÁO KHẨN CẤP');
});

// The server's levels (kiosk_server/domain/hazards.py), written out by
// `python -m kiosk_server.domain.hazards > tests/vectors/levels.json`; pytest checks the file is fresh.
const SERVER_LEVELS = JSON.parse(readFileSync(new URL('../../tests/vectors/levels.json', import.meta.url), 'utf8')).levels;

test('the fallback levels are the server\'s: same colours, same text colour, same words', () => {
  assert.deepEqual(SERVER_LEVELS.map((l) => l.level), [1, 2, 3, 4, 5]);
  for (const { level, name, color, text_color: ink } of SERVER_LEVELS) {
    assert.deepEqual({ colour: LEVELS[level].colour, ink: LEVELS[level].ink }, { colour: color, ink }, `level ${level}`);
    assert.equal(levelLabel({ level, hazard: 'flood' }), name, 'without the server, a level is written as the server writes it');
  }
});

test('an alert leaves on time by the screen\'s clock, and a cancelled one at once', () => {
  const a = alert('a', 3, '2026-11-23T10:00:01+07:00');
  assert.ok(isActive(a, NOW));
  assert.ok(!isActive(a, NOW + 1000));
  assert.ok(!isActive({ ...a, cancelled: true }, NOW));
  assert.ok(isActive(alert('b', 3, null), NOW), 'no expiry: until cancelled');
});

test('an alert that takes effect later waits for its time, and is kept meanwhile', () => {
  const later = alert('later', 4, undefined, { effective_at: '2026-11-23T10:30:00+07:00' });
  assert.ok(!isActive(later, NOW));
  assert.ok(isActive(later, NOW + 30 * 60000));
  assert.deepEqual(Object.keys(prune({ later }, NOW)), ['later']);
});

test('the server\'s level name and colours are used; fire and epidemics are not called disasters', () => {
  assert.equal(levelLabel({ level: 4, hazard: 'flood', level_name: 'Cấp độ 4 – Rủi ro thiên tai rất lớn' }),
    'Cấp độ 4 – Rủi ro thiên tai rất lớn');
  assert.equal(levelLabel({ level: 4, hazard: 'fire', level_name: 'Cấp độ 4 – Rủi ro thiên tai rất lớn' }),
    'Cấp độ 4 – Mức nguy hiểm rất cao');
  assert.deepEqual(levelColours({ level: 4, color: '#b71c1c', text_color: '#ffffff' }), { colour: '#b71c1c', ink: '#ffffff' });
  assert.deepEqual(levelColours({ level: 1, color: 'red; background: url(x)' }), { colour: '#8fd3f4', ink: '#0b2540' });
});

test('an alert\'s translations take turns after its own text', () => {
  const texts = alertTexts({ headline: 'Bão số 9', translations: [{ language: 'km', headline: 'ព្យុះ' }, { language: 'en' }] });
  assert.deepEqual(texts.map((t) => [t.language, t.headline]), [['vi', 'Bão số 9'], ['km', 'ព្យុះ']]);
});

test('several alerts take turns most severe first, then newest', () => {
  const alerts = {
    a: alert('a', 2), b: alert('b', 4, undefined, { sent_at: '2026-11-23T08:00:00+07:00' }),
    c: alert('c', 4, undefined, { sent_at: '2026-11-23T09:00:00+07:00' }), d: alert('d', 5, '2026-11-23T09:00:00+07:00'),
  };
  assert.deepEqual(activeAlerts(alerts, NOW).map((x) => x.id), ['c', 'b', 'a']);
});

test('the manifest is the truth, except for alerts that came over the socket after it was built', () => {
  const generated = NOW - 60000;
  const stored = {
    old: { ...alert('old', 3), received_ms: NOW - 120000 },
    fresh: { ...alert('fresh', 4), received_ms: NOW - 1000 },
    listed: { ...alert('listed', 2), received_ms: NOW - 120000, acked: true },
  };
  const merged = mergeManifestAlerts(stored, [alert('listed', 3), alert('expired', 5, '2026-11-23T09:00:00+07:00')], generated, NOW);
  assert.deepEqual(Object.keys(merged).sort(), ['fresh', 'listed']);
  assert.equal(merged.listed.level, 3, 'updated from the manifest');
  assert.equal(merged.listed.acked, true, 'an acknowledgement is not sent twice');
});

test('alerts are added, updated, cancelled and pruned without the map growing', () => {
  let map = addAlert({}, alert('a', 3), NOW);
  map = addAlert(map, alert('a', 4), NOW);
  assert.equal(Object.keys(map).length, 1);
  assert.equal(map.a.level, 4);
  map = addAlert(map, alert('b', 2, '2026-11-23T10:00:05+07:00'), NOW);
  assert.deepEqual(Object.keys(prune(map, NOW + 10000)), ['a']);
  assert.deepEqual(cancelAlert(map, 'a'), { b: map.b });
});
