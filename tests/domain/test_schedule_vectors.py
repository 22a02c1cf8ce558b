"""The shared schedule vectors: the cases the server and the kiosk player must both get right.

`tests/vectors/schedule.json` is also run by the player's JavaScript tests, so a case that passes
here and fails there means the mirror has drifted.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from kiosk_server.domain.schedule import evaluate, item_from_json, item_to_json

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

VECTORS = Path(__file__).parents[1] / "vectors" / "schedule.json"
CASES = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]


def test_vectors_are_many_and_each_has_its_own_name():
    names = [case["name"] for case in CASES]

    assert len(names) >= 25
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_server_plays_what_the_vector_expects(case):
    playlist = evaluate([item_from_json(data) for data in case["items"]], datetime.fromisoformat(case["now"]))

    expected = case["expect"]
    assert [item.id for item in playlist.items] == expected["items"]
    assert playlist.interrupting is expected["interrupting"]
    if expected["next_change"] is None:
        assert playlist.next_change is None
    else:
        assert playlist.next_change == datetime.fromisoformat(expected["next_change"])
        assert playlist.next_change.isoformat() == expected["next_change"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_vector_items_are_written_as_the_manifest_writes_them(case):
    # The player reads what `item_to_json` writes; a hand-edited vector in another shape would test
    # an input no kiosk ever receives.
    for data in case["items"]:
        assert item_to_json(item_from_json(data)) == data
