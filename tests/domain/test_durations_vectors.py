"""The shared duration vectors: the display times the server and the notice editor must both get.

`tests/vectors/durations.json` is also run by `kiosk_server/static/admin/durations.test.js`, which
reads the limits from the vector as the page hands them over; a case that passes here and fails
there means the editor's mirror has drifted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk_server.domain import durations

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "durations.json").read_text(encoding="utf-8"))
CASES = VECTORS["cases"]
LIMITS = VECTORS["limits"]
TEMPLATES = Path(durations.__file__).parents[1] / "templates"


def test_vectors_are_many_and_each_has_its_own_name():
    names = [case["name"] for case in CASES]

    assert len(names) >= 25
    assert len(set(names)) == len(names)


def test_vector_limits_are_the_servers_constants():
    constants = {name: value for name, value in vars(durations).items() if name.isupper()}

    assert {limit["constant"]: limit["value"] for limit in LIMITS} == constants


@pytest.mark.parametrize("limit", LIMITS, ids=[limit["constant"] for limit in LIMITS])
def test_a_template_hands_each_limit_to_the_editor_under_the_vectors_attribute(limit):
    # The editor reads its limits from these attributes (durations.limitsFromDataset), and the
    # JavaScript vector test feeds it the same names; the browser test reads them off the real page.
    binding = f'{limit["attribute"]}="{{{{ durations.{limit["constant"]} }}}}"'

    assert any(binding in page.read_text(encoding="utf-8") for page in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_server_times_what_the_vector_expects(case):
    expected = case["expect"]

    assert len(case["text"].split()) == expected["words"]
    assert durations.reading_time_s(case["text"]) == expected["reading_time_s"]
    assert durations.default_duration_s(case["text"], case["media"]) == expected["default_duration_s"]
