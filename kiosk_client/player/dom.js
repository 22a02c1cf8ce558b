// A few DOM helpers. The page's Content-Security-Policy forbids inline styles, so nothing here
// writes a `style` attribute: looks come from the theme's classes, and the rare computed value
// (an animation's duration) is set through the CSSOM, which the policy allows.

/**
 * Returns a new element: `h('div', {class: 'x', dataset: {testid: 'qr'}}, 'text', child)`.
 * Attributes with null/false values are skipped; children may be strings, nodes or arrays.
 */
export function h(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'text') el.textContent = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Returns the element with this id, or null (themes may leave a zone out). */
export const byId = (id) => document.getElementById(id);

/** Sets an element's text only when it changed (no needless layout work every second). */
export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/** Removes every child of `el`. */
export function clear(el) {
  if (el) el.replaceChildren();
}

// The server draws only QR codes it signed: {target URL: signed image address}, from the manifest's
// `qr_images` and the pairing answer's `qr_image`.
const qrImages = new Map();

/** Remembers the signed QR image addresses in `images` ({url: address}). */
export function rememberQrImages(images) {
  for (const [url, src] of Object.entries(images || {})) if (src) qrImages.set(url, src);
}

/** Returns the URL of the QR image the server draws for `url` (unsigned, and so refused, if unknown). */
export function qrImageUrl(url) {
  return qrImages.get(url) || `/kiosk/qr.svg?u=${encodeURIComponent(url)}`;
}

/** Returns a QR element as the contract names it: `[data-testid=qr]` with `data-url`. */
export function qrElement(url, caption, className = 'qr') {
  return h('figure', { class: className, dataset: { testid: 'qr', url } },
    h('img', { class: 'qr-image', src: qrImageUrl(url), alt: `Mã QR: ${url}`, width: 256, height: 256 }),
    caption ? h('figcaption', { class: 'qr-caption' }, caption) : null);
}
