"""The risk-level colours reach the pages from the domain alone: /levels.css, no literal copy in a sheet."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk_server.domain import hazards
from tests.conftest import COMMUNE

STATIC = Path(__file__).parents[2] / "kiosk_server" / "static"


def test_levels_css_is_the_domains_stylesheet_and_revalidates(client):
    response = client.get("/levels.css")

    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.get_data(as_text=True) == hazards.level_stylesheet()
    for level, (_name, color, text) in hazards.LEVELS.items():
        assert f".level-{level} {{ --level-bg: {color}; --level-fg: {text}; }}" in response.get_data(as_text=True)
    again = client.get("/levels.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_no_stylesheet_writes_a_level_colour_of_its_own():
    colours = {c.lower() for _name, color, text in hazards.LEVELS.values() for c in (color, text) if c != "#ffffff"}
    for sheet in [*STATIC.glob("admin/*.css"), *STATIC.glob("public/*.css")]:
        css = sheet.read_text(encoding="utf-8").lower()
        assert not re.search(r"--level-(bg|fg)\s*:", css), f"{sheet.name} defines a level's colours"
        assert not colours & set(re.findall(r"#[0-9a-f]{6}", css)), f"{sheet.name} repeats a level colour"


def test_officer_pages_and_the_public_board_load_the_level_colours(client, auth, officers):
    board = client.get(f"/p/{COMMUNE}").get_data(as_text=True)
    assert 'href="/levels.css"' in board

    auth.login("duyet@example.vn")
    for page in ("/admin/alerts", "/admin/alerts/new"):
        html = client.get(page).get_data(as_text=True)
        assert 'href="/levels.css"' in html and "admin/alerts.css" in html
