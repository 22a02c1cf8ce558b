// How long a notice stays on screen when the officer does not say: the mirror of
// domain/durations.py, held to it by tests/vectors/durations.json (durations.test.js and
// tests/domain/test_durations_vectors.py). The limits come from the page (data-* attributes written
// from the Python constants), so the numbers live in one place.
import { wordCount } from "./text.js";

/** Returns the limits written on an element's dataset (data-words-per-second, data-lead-in, ...). */
export function limitsFromDataset(d) {
  return {
    wordsPerSecond: Number(d.wordsPerSecond), leadIn: Number(d.leadIn), minText: Number(d.minText),
    maxText: Number(d.maxText), image: Number(d.image), pdfPage: Number(d.pdfPage), maxDuration: Number(d.maxDuration),
  };
}

/**
 * Returns `x` rounded to one decimal as Python's round(x, 1) does: on the exact binary value, and
 * an exact tie (x.25, x.75) to the even digit, where toFixed and Math.round go up.
 */
export function round1(x) {
  if (Number.isInteger(x * 4) && !Number.isInteger(x * 2)) {
    const below = Math.floor(x * 10);
    return (below % 2 === 0 ? below : below + 1) / 10;
  }
  return Number(x.toFixed(1));
}

/** Returns the seconds a passer-by needs to read `text`, clamped to [minText, maxText]. */
export function readingTime(text, limits) {
  const seconds = limits.leadIn + wordCount(text) / limits.wordsPerSecond;
  return round1(Math.min(limits.maxText, Math.max(limits.minText, seconds)));
}

/**
 * Returns a notice's display time: its videos' length, else its images/pages, else reading time.
 * `playables` hold `kind` image or video, videos with `duration_s`, PDF pages with `page`.
 */
export function defaultDuration(text, playables, limits) {
  const videos = playables.filter((p) => p.kind === "video").map((p) => p.duration_s || 0);
  if (videos.length) return round1(Math.min(limits.maxDuration, videos.reduce((a, b) => a + b, 0)));
  const images = playables.filter((p) => p.kind === "image");
  if (images.length) {
    const per = images.some((p) => p.page) ? limits.pdfPage : limits.image;
    return round1(Math.max(readingTime(text, limits), per * images.length));
  }
  return readingTime(text, limits);
}
