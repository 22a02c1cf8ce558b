"""The shared rules-of-play vectors: playlists laid over notices, as the server and the player must agree.

`tests/vectors/play_order.json` is also run by `kiosk_client/player/play_order.test.js`, so a case
that passes here and fails there means the mirror has drifted.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from kiosk_server.domain.play_order import order, programme_from_json, programme_to_json
from kiosk_server.domain.schedule import item_from_json

VECTORS = Path(__file__).parents[1] / "vectors" / "play_order.json"
CASES = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]


def test_vectors_are_many_and_each_has_its_own_name():
    names = [case["name"] for case in CASES]

    assert len(names) >= 20
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_server_plays_what_the_vector_expects(case):
    loop = order([item_from_json(d) for d in case["items"]], [programme_from_json(p) for p in case["playlists"]],
                 datetime.fromisoformat(case["now"]), case.get("playlist_only", ()))

    expected = case["expect"]
    assert list(loop.items) == expected["items"]
    assert loop.interrupting is expected["interrupting"]
    assert loop.exclusive == expected["exclusive"]
    if expected["next_change"] is None:
        assert loop.next_change is None
    else:
        assert loop.next_change == datetime.fromisoformat(expected["next_change"])


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_vector_playlists_are_written_as_the_manifest_writes_them(case):
    for data in case["playlists"]:
        assert programme_to_json(programme_from_json(data)) == data
