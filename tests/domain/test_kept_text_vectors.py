"""The shared kept-text vectors: the words the sanitiser keeps of a notice body, and how many.

The notice editor counts these words in the browser to show the reading time before a save
(`kiosk_server/static/admin/safe-body.js`). `tests/vectors/kept_text.json` is also run by
`kiosk_server/static/admin/text.test.js` (the parts without a DOM) and by the notice editor's
browser test (the whole mirror), so the three can never drift apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk_server.domain import sanitise

CASES = json.loads((Path(__file__).parents[1] / "vectors" / "kept_text.json").read_text(encoding="utf-8"))["cases"]


def test_vectors_are_many_and_each_has_its_own_name():
    names = [case["name"] for case in CASES]

    assert len(names) >= 25
    assert len(set(names)) == len(names)


def test_vectors_cover_plain_text_and_html():
    kinds = {case["expect"]["reads_as_html"] for case in CASES}

    assert kinds == {True, False}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_server_keeps_the_words_the_vector_expects(case):
    expected = case["expect"]
    text = sanitise.plain_text(sanitise.clean_body(case["body"]))

    assert text == expected["text"]
    assert len(text.split()) == expected["words"]
    # Whether the body is read as HTML or as plain text decides everything after; the editor's
    # looksLikeHtml mirrors this pattern.
    assert bool(sanitise._KNOWN_TAG.search(case["body"].strip())) is expected["reads_as_html"]
