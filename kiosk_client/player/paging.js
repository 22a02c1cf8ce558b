// Long notices page instead of shrinking: the body is cut into pages that fit the main zone, at
// block boundaries when possible. Measuring is the caller's business (render.js asks the DOM), so the
// cutting itself is pure and tested with made-up heights.

/**
 * Returns `blocks` grouped into pages, in order: each page is the longest run of blocks for which
 * `fits(page)` holds.
 *
 * A block that does not fit after the blocks already on the page is offered to
 * `split(block, page)`, which returns smaller blocks whose first one fits after `page` (a long
 * paragraph then continues on the next page instead of leaving a hole), or null when it cannot or
 * should not be cut. A block that does not fit even on an empty page and cannot be cut gets a page
 * of its own (the renderer clips it rather than shrinking the text).
 */
export function paginate(blocks, fits, split = () => null) {
  const pages = [];
  const queue = [...blocks];
  let page = [];
  let guard = 10000; // a split that never shrinks must not loop forever
  while (queue.length && guard-- > 0) {
    const block = queue.shift();
    if (fits([...page, block])) {
      page.push(block);
      continue;
    }
    const parts = split(block, page);
    if (parts && parts.length > 1 && fits([...page, parts[0]])) {
      queue.unshift(...parts);
    } else if (page.length) {
      pages.push(page);
      page = [];
      queue.unshift(block);
    } else {
      pages.push([block]);
    }
  }
  if (page.length) pages.push(page);
  if (queue.length) pages.push(queue);
  return pages;
}

/**
 * Returns the largest k in [1, n] for which `fits(k)` holds (1 when none does), by binary search:
 * how many words of an over-long paragraph go on the current page. Assumes `fits` is monotonic.
 */
export function fitCount(n, fits) {
  let lo = 1;
  let hi = n;
  if (n <= 1 || fits(n)) return Math.max(1, n);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
