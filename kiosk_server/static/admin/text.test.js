// The DOM-free half of the editor's sanitiser mirror against the shared vectors
// (`tests/vectors/kept_text.json`, also run by `tests/domain/test_kept_text_vectors.py`; the half that
// needs the browser's parser is run against them by tests/e2e/test_notice_editor.py).
// Run: node --test kiosk_server/static/admin/

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { collapseSpaces, escapeHtml, looksLikeHtml, paragraphsHtml, plainText, wordCount } from "./text.js";

const CASES = JSON.parse(readFileSync(new URL("../../../tests/vectors/kept_text.json", import.meta.url), "utf8")).cases;

/** Undoes escapeHtml only: all the decoding plain text needs once paragraphsHtml has escaped it. */
const unescape = (text) => text.replace(/&(amp|lt|gt|quot|#x27);/g, (_, name) =>
  ({ amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'" })[name]);

describe("shared vectors", () => {
  test("are many, and each has its own name", () => {
    const names = CASES.map((vector) => vector.name);
    assert.ok(names.length >= 25, `only ${names.length} vectors`);
    assert.equal(new Set(names).size, names.length);
  });

  for (const vector of CASES) {
    test(vector.name, () => {
      const expected = vector.expect;
      assert.equal(looksLikeHtml(vector.body.trim()), expected.reads_as_html);
      assert.equal(wordCount(expected.text), expected.words);
      if (!expected.reads_as_html) {
        // Plain text becomes paragraphs, then loses its tags again: only the words remain.
        assert.equal(plainText(paragraphsHtml(vector.body.trim()), unescape), expected.text);
        assert.equal(collapseSpaces(vector.body), expected.text);
      }
    });
  }
});

describe("words, split where Python splits", () => {
  test("at U+0085 and U+001C–U+001F, which JavaScript's \\s does not match", () => {
    assert.equal(wordCount("một\u0085hai\u001cba\u001fbốn"), 4);
  });

  test("not at U+FEFF or U+200B, which Python keeps inside a word", () => {
    assert.equal(wordCount("một\ufeffhai\u200bba"), 1);
  });

  test("none in an empty or blank text", () => {
    assert.equal(wordCount(""), 0);
    assert.equal(wordCount(" \n\t\u00a0"), 0);
  });
});

test("escapeHtml escapes as Python's html.escape", () => {
  assert.equal(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`), "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;");
});

test("paragraphsHtml splits at blank lines and breaks lines inside a paragraph", () => {
  assert.equal(paragraphsHtml("Một\nhai\n \nba"), "<p>Một<br>hai</p><p>ba</p>");
});
