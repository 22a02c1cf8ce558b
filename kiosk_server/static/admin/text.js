// Plain text and word counts of a notice body, as domain/sanitise.py reckons them. Nothing here
// touches the DOM, so node tests it against tests/vectors/kept_text.json (text.test.js); the part
// that needs a browser's HTML parser is safe-body.js.

// Python's whitespace (str.split(), re's \s), not JavaScript's \s: Python also breaks words at
// U+001C–U+001F and U+0085 but not at U+FEFF, and the server's count is the one that plays.
const SPACES = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
const TAG = /<[^>]+>/g;
// Text counts as HTML only when it uses a tag we know; "<hai>" in a sentence stays words.
const KNOWN_TAG = /<\/?(p|br|strong|b|em|i|u|ul|ol|li|a|h[1-6]|blockquote|div|span|script|style)\b/i;

/** Returns `text` with runs of whitespace made one space, trimmed. */
export function collapseSpaces(text) {
  return text.replace(SPACES, " ").replace(/^ | $/g, "");
}

/** Returns the number of words in `text`, split where Python's `str.split()` splits. */
export function wordCount(text) {
  const spaced = collapseSpaces(text || "");
  return spaced ? spaced.split(" ").length : 0;
}

/** Returns true when `text` holds a tag the sanitiser knows, so it is read as HTML. */
export function looksLikeHtml(text) {
  return KNOWN_TAG.test(text);
}

/** Returns `text` escaped as Python's html.escape does. */
export function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
}

/** Returns plain text as paragraphs at blank lines and line breaks inside them, as clean_body does. */
export function paragraphsHtml(text) {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)
    .map((p) => "<p>" + escapeHtml(p).replace(/\n/g, "<br>") + "</p>").join("");
}

/**
 * Returns the words of `html` without tags, entities decoded by `decode`, spaces collapsed: the
 * mirror of sanitise.plain_text. Decoding every named entity needs the browser's table
 * (safe-body.js passes one); text without "&" needs none.
 */
export function plainText(html, decode = (text) => text) {
  return collapseSpaces(decode(html.replace(TAG, " ")));
}
