// What domain/sanitise.py keeps of a notice body, rebuilt in the browser from fresh elements only,
// so the editor counts the words the server will keep. Needs the browser's HTML parser (DOMParser);
// the DOM-free rules it shares with the server are in text.js. The e2e test of the notice editor
// runs tests/vectors/kept_text.json through keptText().
import { looksLikeHtml, paragraphsHtml, plainText } from "./text.js";

const ALLOWED = new Set(["p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "blockquote"]);
// Removed together with their content: their text is code or styling, never words for the reader.
const DROP_WITH_CONTENT = new Set(["script", "style", "template", "iframe", "object", "noscript"]);

// Chromium reports a CSP violation as soon as a parser meets an on* attribute, even in an inert
// document where nothing can run; renaming them inside tags keeps the console clean. Safety does
// not rest on this: no attribute is ever copied.
const HANDLER = /(\s)on([a-z]+\s*=)/gi;
const quiet = (html) => html.replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(HANDLER, "$1data-was-on$2"));

function copyAllowed(source, target) {
  for (const node of Array.from(source.childNodes)) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.appendChild(document.createTextNode(node.data));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.localName;
      if (DROP_WITH_CONTENT.has(tag)) continue;
      if (!ALLOWED.has(tag)) {
        copyAllowed(node, target); // unwrap: keep the words, lose the tag
        continue;
      }
      const element = document.createElement(tag === "a" ? "span" : tag);
      copyAllowed(node, element);
      target.appendChild(element);
    }
  }
}

/** Returns a <div> holding what the sanitiser keeps of `raw`, built from fresh elements only. */
export function safeBody(raw) {
  const holder = document.createElement("div");
  let text = (raw || "").trim();
  if (text && !looksLikeHtml(text)) text = paragraphsHtml(text);
  const inert = new DOMParser().parseFromString(quiet(text), "text/html");
  copyAllowed(inert.body, holder);
  return holder;
}

/** Returns `text` with its character references decoded, as html.unescape does. */
export function decodeEntities(text) {
  return new DOMParser().parseFromString(text, "text/html").documentElement.textContent || "";
}

/** Returns the plain text the server keeps of the body `raw`: plain_text(clean_body(raw)). */
export function keptText(raw) {
  return plainText(safeBody(raw).innerHTML, decodeEntities);
}
