import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  languagesOf, MIN_SLIDE_S, nextItemId, planSlides, qrFor, slideDurations, standingLink,
} from './playlist.js';

const video = (s) => ({ kind: 'video', url: `/media/v${s}`, duration_s: s });
const image = (n) => ({ kind: 'image', url: `/media/i${n}` });

test('the notice\'s own language comes first, then each translation in turn', () => {
  const item = {
    title: 'Lịch tiêm chủng', body: '<p>Thứ Năm</p>', language: 'vi',
    translations: [{ language: 'km', title: ' កាលវិភាគ', body: '<p>…</p>' }, { language: 'hmn', title: 'Caij', body: '' }],
  };
  assert.deepEqual(languagesOf(item).map((t) => [t.language, t.title]),
    [['vi', 'Lịch tiêm chủng'], ['km', ' កាលវិភាគ'], ['hmn', 'Caij']]);
});

test('empty translations and ones repeating the notice\'s language are left out', () => {
  const item = { title: 'A', body: 'b', translations: [{ language: 'vi', title: 'X' }, { language: 'km' }, null] };
  assert.deepEqual(languagesOf(item).map((t) => t.language), ['vi']);
});

test('slides: text pages per language, then pictures and videos', () => {
  const item = { media: [image(1), video(20)] };
  const slides = planSlides(item, [2, 1]);
  assert.deepEqual(slides.map((s) => [s.kind, s.lang ?? s.index, s.page ?? s.count]),
    [['text', 0, 0], ['text', 0, 1], ['text', 1, 0], ['image', 0, 2], ['video', 1, 2]]);
});

test('a notice with neither text nor media still shows its title', () => {
  assert.deepEqual(planSlides({ media: [] }, [0]), [{ kind: 'text', lang: 0, page: 0, pages: 1 }]);
});

test('pages share the item\'s time; a translation page gets as long as an original page', () => {
  const slides = planSlides({}, [3, 2]);
  assert.deepEqual(slideDurations(slides, 45), [15, 15, 15, 15, 15]);
});

test('videos play to their end and the rest of the time goes to the other slides', () => {
  const slides = planSlides({ media: [image(1), video(30)] }, [1]);
  assert.deepEqual(slideDurations(slides, 50), [10, 10, null]);
});

test('no slide is shorter than the minimum, even when the item is short', () => {
  const slides = planSlides({}, [4]);
  assert.deepEqual(slideDurations(slides, 8), [MIN_SLIDE_S, MIN_SLIDE_S, MIN_SLIDE_S, MIN_SLIDE_S]);
  const withVideo = planSlides({ media: [video(60)] }, [1]);
  assert.deepEqual(slideDurations(withVideo, 60), [MIN_SLIDE_S, null]);
});

test('the loop steps forward and wraps round', () => {
  assert.equal(nextItemId(['a', 'b', 'c'], 'a'), 'b');
  assert.equal(nextItemId(['a', 'b', 'c'], 'c'), 'a');
  assert.equal(nextItemId(['a', 'b', 'c'], null), 'a');
  assert.equal(nextItemId([], 'a'), null);
});

test('when the item on screen leaves the loop, the loop carries on from where it was', () => {
  assert.equal(nextItemId(['a', 'c', 'd'], 'b', ['a', 'b', 'c', 'd']), 'c');
  assert.equal(nextItemId(['a', 'd'], 'b', ['a', 'b', 'c', 'd']), 'd');
  assert.equal(nextItemId(['a'], 'd', ['a', 'b', 'c', 'd']), 'a');
  assert.equal(nextItemId(['x'], 'gone', []), 'x');
});

test('a priority notice that just arrived plays next, once', () => {
  assert.equal(nextItemId(['p', 'a', 'b', 'c'], 'b', ['a', 'b', 'c'], ['p']), 'p');
  assert.equal(nextItemId(['p', 'a', 'b', 'c'], 'p', ['p', 'a', 'b', 'c'], ['p']), 'a');
  assert.equal(nextItemId(['a', 'b'], 'a', ['a', 'b'], ['gone']), 'b');
});

test('the QR panel shows the notice\'s link, else its full text when it runs over pages, else a standing link', () => {
  const links = [{ url: 'https://dichvucong.gov.vn', caption: 'Dịch vụ công' }, { url: 'https://vneid.gov.vn', caption: 'VNeID' }];
  assert.equal(qrFor({ qr_url: 'https://x.vn/a', public_url: 'https://x.vn/n/1' }, 3, links, 0).url, 'https://x.vn/a');
  assert.equal(qrFor({ public_url: 'https://x.vn/n/1' }, 3, links, 0).url, 'https://x.vn/n/1');
  assert.equal(qrFor({ public_url: 'https://x.vn/n/1' }, 1, links, 0).url, 'https://dichvucong.gov.vn');
  assert.equal(qrFor({}, 1, links, 1).caption, 'VNeID');
  assert.equal(qrFor({}, 1, [], 5), null);
  assert.equal(standingLink(links, -1).url, 'https://vneid.gov.vn');
  const counted = { url: 'https://xa.vn/q/7', target: 'https://vneid.gov.vn', caption: 'VNeID' };
  assert.deepEqual(standingLink([counted], 0), { url: 'https://xa.vn/q/7', target: 'https://vneid.gov.vn',
    title: 'Quét mã QR', caption: 'VNeID' });
});
