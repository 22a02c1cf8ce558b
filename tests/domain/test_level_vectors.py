"""The risk levels' one home (kiosk_server/domain/hazards.py) and the vector file made from it.

`tests/vectors/levels.json` is read by the player's JavaScript tests (kiosk_client/player/alerts.test.js),
so the kiosk's offline fallback colours cannot drift from the server's. Regenerate it after changing
LEVELS:  .venv/bin/python -m kiosk_server.domain.hazards > tests/vectors/levels.json
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kiosk_server.domain import hazards

ROOT = Path(__file__).parents[2]
VECTORS = ROOT / "tests" / "vectors" / "levels.json"
REGENERATE = "python -m kiosk_server.domain.hazards > tests/vectors/levels.json"


def test_levels_follow_decision_18_2021_light_blue_light_yellow_orange_red_purple():
    colours = [hazards.level_info(level)["color"] for level in range(1, 6)]

    assert colours == ["#8fd3f4", "#fff176", "#f57c00", "#c62828", "#6a1b9a"]


def test_every_level_has_a_readable_text_colour():
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for level in hazards.LEVELS:
        info = hazards.level_info(level)
        light, dark = sorted((luminance(info["color"]), luminance(info["text_color"])), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, f"level {level}: WCAG AA contrast"


def test_vector_file_is_what_the_domain_writes_now():
    assert VECTORS.read_text(encoding="utf-8") == hazards.level_vectors_json(), f"stale: run {REGENERATE}"


def test_regenerate_command_writes_the_vector_file():
    written = subprocess.run([sys.executable, "-m", "kiosk_server.domain.hazards"], cwd=ROOT,
                             capture_output=True, check=True).stdout

    assert written.decode("utf-8") == hazards.level_vectors_json()


def test_stylesheet_gives_each_level_its_colours_and_nothing_else():
    css = hazards.level_stylesheet()
    rules = re.findall(r"\.level-(\d) \{ --level-bg: (#[0-9a-f]{6}); --level-fg: (#[0-9a-f]{6}); \}", css)

    assert [(int(n), bg, fg) for n, bg, fg in rules] == [
        (level, color, text) for level, (_name, color, text) in sorted(hazards.LEVELS.items())]
    assert css.count("{") == len(hazards.LEVELS)
