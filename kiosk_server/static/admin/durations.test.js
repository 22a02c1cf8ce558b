// The editor's durations against the shared vectors (`tests/vectors/durations.json`, also run by
// `tests/domain/test_durations_vectors.py`), with the limits handed over as the page hands them.
// Run: node --test kiosk_server/static/admin/

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { defaultDuration, limitsFromDataset, readingTime, round1 } from "./durations.js";
import { wordCount } from "./text.js";

const VECTORS = JSON.parse(readFileSync(new URL("../../../tests/vectors/durations.json", import.meta.url), "utf8"));

/** Returns the dataset a browser makes of the page's data-* attributes: camelCase keys, string values. */
function datasetOf(limits) {
  const camel = (attribute) => attribute.replace(/^data-/, "").replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  return Object.fromEntries(limits.map((limit) => [camel(limit.attribute), String(limit.value)]));
}

const limits = limitsFromDataset(datasetOf(VECTORS.limits));

describe("shared vectors", () => {
  test("are many, and each has its own name", () => {
    const names = VECTORS.cases.map((vector) => vector.name);
    assert.ok(names.length >= 25, `only ${names.length} vectors`);
    assert.equal(new Set(names).size, names.length);
  });

  test("hand every limit over, each a number", () => {
    assert.equal(Object.keys(limits).length, VECTORS.limits.length);
    for (const [name, value] of Object.entries(limits)) assert.ok(Number.isFinite(value), name);
  });

  for (const vector of VECTORS.cases) {
    test(vector.name, () => {
      const expected = vector.expect;
      assert.equal(wordCount(vector.text), expected.words);
      assert.equal(readingTime(vector.text, limits), expected.reading_time_s);
      assert.equal(defaultDuration(vector.text, vector.media, limits), expected.default_duration_s);
    });
  }
});

describe("round1, as Python's round(x, 1)", () => {
  test("sends an exact tie to the even digit", () => {
    assert.deepEqual([0.25, 0.75, 12.25, 12.75, 3599.25].map(round1), [0.2, 0.8, 12.2, 12.8, 3599.2]);
  });

  test("rounds the binary value, not the decimal one typed", () => {
    // 0.15 is stored as 0.1499999..., 10.15 as 10.1500000...
    assert.deepEqual([0.15, 10.15, 7.05, 2.675].map(round1), [0.1, 10.2, 7, 2.7]);
  });

  test("leaves whole and one-decimal numbers as they are", () => {
    assert.deepEqual([0, 8, 8.4, 90, 3600].map(round1), [0, 8, 8.4, 90, 3600]);
  });
});
