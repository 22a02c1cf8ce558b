// Byte ranges for cached media: <video> asks for `Range: bytes=…` and a service worker that holds the
// whole file (a cached 200) must answer with the slice as a 206, or seeking and playback break.
// Used by sw.js; pure so that `node --test` checks it with Node's own Response and Blob.

/**
 * Returns the byte range a `Range` header asks of a body of `size` bytes.
 *
 * Result: `null` when there is no usable single byte range (no header, another unit, several
 * ranges, malformed): the caller answers with the whole body as HTTP allows; `{start, end}` with
 * `end` inclusive; or `{unsatisfiable: true}` when the range lies outside the body (answer 416).
 */
export function parseRange(header, size) {
  if (typeof header !== 'string') return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    // A suffix range: the last N bytes.
    const length = Number(match[2]);
    if (length === 0 || size === 0) return { unsatisfiable: true };
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(match[1]);
  let end = match[2] === '' ? size - 1 : Number(match[2]);
  if (match[2] !== '' && end < start) return null; // invalid: ignore the header
  if (start >= size) return { unsatisfiable: true };
  end = Math.min(end, size - 1);
  return { start, end };
}

/**
 * Returns the answer to `request` from `cached`, a complete (200) response for the same URL: the
 * whole response when no range is asked, a 206 with `Content-Range` for a satisfiable range, or 416.
 */
export async function rangeResponse(request, cached) {
  const header = request.headers.get('Range');
  if (!header) return cached;
  const blob = await cached.blob();
  const range = parseRange(header, blob.size);
  const type = cached.headers.get('Content-Type') || blob.type || 'application/octet-stream';
  if (range === null) {
    return new Response(blob, { status: 200, headers: { 'Content-Type': type, 'Content-Length': String(blob.size), 'Accept-Ranges': 'bytes' } });
  }
  if (range.unsatisfiable) {
    return new Response(null, { status: 416, statusText: 'Range Not Satisfiable', headers: { 'Content-Range': `bytes */${blob.size}` } });
  }
  const slice = blob.slice(range.start, range.end + 1, type);
  return new Response(slice, {
    status: 206,
    statusText: 'Partial Content',
    headers: {
      'Content-Type': type,
      'Content-Length': String(slice.size),
      'Content-Range': `bytes ${range.start}-${range.end}/${blob.size}`,
      'Accept-Ranges': 'bytes',
    },
  });
}
