// How the loop steps and how one item's time is shared between its slides. Pure: no DOM, no clock.
//
// An item (one notice of the manifest) plays as a run of slides: its text, page by page, in the
// notice's own language first and then in each translation; then its pictures (PDF pages are
// pictures) and videos. Videos play to their end; the rest of the item's time is shared equally.

export const MIN_SLIDE_S = 6;

/** Returns the texts an item shows in turn: its own language first, then each translation. */
export function languagesOf(item) {
  const own = { language: item.language || 'vi', title: item.title || '', body: item.body || '' };
  const others = (item.translations || [])
    .filter((t) => t && (t.title || t.body) && t.language !== own.language)
    .map((t) => ({ language: t.language, title: t.title || own.title, body: t.body || '' }));
  return [own, ...others];
}

/**
 * Returns the slides of `item`, given how many text pages each of its languages needs
 * (`pageCounts[i]` for `languagesOf(item)[i]`, 0 for a language without body text).
 *
 * Text slides: `{kind: 'text', lang, page, pages}` (lang indexes `languagesOf`); media slides:
 * `{kind: 'image'|'video', media, index, count}`. A notice with neither text nor media still gets
 * one text slide, showing its title.
 */
export function planSlides(item, pageCounts) {
  const slides = [];
  pageCounts.forEach((count, lang) => {
    for (let page = 0; page < count; page++) slides.push({ kind: 'text', lang, page, pages: count });
  });
  const media = (item.media || []).filter((m) => m && (m.kind === 'image' || m.kind === 'video') && m.url);
  media.forEach((m, index) => slides.push({ kind: m.kind, media: m, index, count: media.length }));
  if (!slides.length) slides.push({ kind: 'text', lang: 0, page: 0, pages: 1 });
  return slides;
}

/**
 * Returns the seconds each slide stays on screen (null for a video: until it ends).
 *
 * The item's time less its videos' length is shared equally by the slides of its own language
 * and its pictures; a translation's pages get the same time per page as the original's (a
 * translation is a second reading, not a part of the first). No slide gets under `minS`.
 */
export function slideDurations(slides, durationS, minS = MIN_SLIDE_S) {
  const videoS = slides
    .filter((s) => s.kind === 'video')
    .reduce((sum, s) => sum + (Number(s.media.duration_s) || 0), 0);
  const sharing = slides.filter((s) => s.kind === 'image' || (s.kind === 'text' && s.lang === 0)).length;
  const rest = Math.max(0, (Number(durationS) || 0) - videoS);
  const each = Math.max(minS, sharing ? rest / sharing : rest);
  return slides.map((s) => (s.kind === 'video' ? null : Math.round(each * 10) / 10));
}

/**
 * Returns the id of the item to play after `currentId` in `loop` (ids in play order), or null
 * when the loop is empty.
 *
 * - Items in `jumpQueue` (priority notices that just arrived) go first, in order, while they are
 *   still in the loop: "ưu tiên" plays first in the programme, not at the next turn of the loop.
 * - Otherwise the item after the current one, wrapping round.
 * - If the current item has left the loop (expired, withdrawn), the loop carries on from where it
 *   was: the first item after it in `previousLoop` that is still playing, else the start.
 */
export function nextItemId(loop, currentId, previousLoop = loop, jumpQueue = []) {
  if (!loop.length) return null;
  const jump = jumpQueue.find((id) => id !== currentId && loop.includes(id));
  if (jump !== undefined) return jump;
  const here = loop.indexOf(currentId);
  if (here >= 0) return loop[(here + 1) % loop.length];
  const before = previousLoop.indexOf(currentId);
  if (before >= 0) {
    for (let k = before + 1; k < previousLoop.length; k++) {
      if (loop.includes(previousLoop[k])) return previousLoop[k];
    }
  }
  return loop[0];
}

/**
 * Returns what the QR panel shows while `item` plays: `{url, target, title, caption}` or null;
 * `url` is what the code encodes (maybe the server's counted /q/ link), `target` where it leads.
 *
 * The notice's own link first; else, when its text runs over several pages, its public page
 * (the full text on a phone); else the screen's standing links (public services, feedback), a
 * different one for each item (`turn` counts items played).
 */
export function qrFor(item, textPages, links, turn) {
  if (item?.qr_url) {
    return { url: item.qr_url, target: item.qr_target || item.qr_url, title: 'Thông tin thêm',
      caption: 'Quét mã để mở trên điện thoại' };
  }
  if (item?.public_url && textPages > 1) {
    return { url: item.public_url, target: item.public_url, title: 'Đọc toàn văn',
      caption: 'Quét mã để đọc cả thông báo trên điện thoại' };
  }
  return standingLink(links, turn);
}

/** Returns the `turn`-th of the screen's standing links as a QR panel entry, or null. */
export function standingLink(links, turn) {
  const usable = (links || []).filter((link) => link && typeof link.url === 'string' && link.url);
  if (!usable.length) return null;
  const link = usable[((turn % usable.length) + usable.length) % usable.length];
  return { url: link.url, target: link.target || link.url, title: 'Quét mã QR', caption: link.caption || link.url };
}
