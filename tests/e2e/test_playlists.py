"""Playlists on a real screen: a paired Chromium plays an approved playlist in its order, an exclusive
playlist takes the screen during its hours and leaves at its end, and an emergency notice interrupts it.

What the screen showed is recorded in the page itself (each change of the title on screen, with the
screen's own clock), so the order and the moments are read after the fact instead of being raced. The
screen's clock is Playwright's, moved through the items' seconds and the programme's hours instead of
waiting for them; the server, the pictures and the live connection keep real time.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    COMMUNE,
    RECORD_TITLES,
    advance_until,
    install_clock,
    page_time,
    poll,
    shown,
    wait_offline_ready,
)
from tests.media_factory import png

pytestmark = pytest.mark.browser

VN = timezone(timedelta(hours=7))
TITLE = "[data-testid=notice-title]"
CODE = "[data-testid=pairing-code]"

TITLE_IS = "(title) => document.querySelector('[data-testid=notice-title]')?.textContent === title"
PLAYLISTS_HELD = "(n) => JSON.parse(localStorage.getItem('kiosk.manifest'))?.manifest?.playlists?.length === n"


def at(screen, seconds: float) -> datetime:
    """Return the whole second `seconds` from now on the screen's clock, in Viet Nam time."""
    return page_time(screen, seconds).astimezone(VN)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def pair(server, screen) -> int:
    """Pair the screen by the code it shows, as an officer does; return its id."""
    screen.goto(f"{server.url}/kiosk")
    code = screen.locator(CODE)
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"))
    return server.ok("POST", "/api/v1/kiosks/pair", "admin",
                     {"code": code.inner_text(), "name": "Nhà văn hóa tổ 5", "unit_code": COMMUNE})["id"]


def approve_playlist(server, body: dict) -> dict:
    """Create a playlist as the editor, submit it, approve it as the approver; return it."""
    created = server.ok("POST", "/api/v1/playlists", "editor", {"unit_code": COMMUNE, **body})
    server.ok("POST", f"/api/v1/playlists/{created['id']}/submit", "editor")
    return server.ok("POST", f"/api/v1/playlists/{created['id']}/approve", "approver")


def cycle(titles: list[str], of: list[str]) -> bool:
    """Return True when `titles` (changes on screen) hold a whole turn of the loop `of`, in its order."""
    n = len(of)
    return any(titles[i:i + n] == of for i in range(len(titles) - n + 1))


def test_screen_follows_a_playlist_an_exclusive_one_takes_it_and_an_emergency_interrupts(server, screen):
    # The test moves the screen's clock about a minute ahead of the server's, and a player whose clock is
    # over 30 s off the server's when it fetches the manifest plays by the server's instead (clock.js,
    # clockSkew). Starting 27 s behind keeps every fetch of this test within that tolerance, so the
    # player plays by the clock the test reads.
    install_clock(screen, behind_s=27)
    guide = server.upload("huong-dan-vneid.png", png(96, 54), "image/png")
    film = server.upload("phim-tai-lieu.png", png(128, 72), "image/png")
    opening = server.publish("Giờ làm việc bộ phận một cửa", duration_s=6)
    server.publish("Thông báo thu phí vệ sinh môi trường", duration_s=6)
    pair(server, screen)
    expect(screen.locator(TITLE)).to_be_visible(timeout=15000)

    # The morning loop: the guide first, then the opening hours, then the remaining notice.
    approve_playlist(server, {"name": "Vòng buổi sáng bộ phận một cửa", "mode": "mixed", "items": [
        {"media_id": guide["id"], "duration_s": 6, "caption": "Hướng dẫn cài đặt VNeID"},
        {"notice_id": opening["id"]}]})
    poll(screen, PLAYLISTS_HELD, 1, message="the playlist never reached the screen")
    advance_until(screen, TITLE_IS, "Hướng dẫn cài đặt VNeID", within_s=30)
    screen.evaluate(RECORD_TITLES)
    order = ["Hướng dẫn cài đặt VNeID", "Giờ làm việc bộ phận một cửa", "Thông báo thu phí vệ sinh môi trường"]
    advance_until(screen, "() => window.__shown.length >= 5", within_s=60, message="the loop never went round")
    titles = [entry["title"] for entry in shown(screen)]
    assert cycle(titles, order) or cycle(titles, order[1:] + order[:1]) or cycle(titles, order[2:] + order[:2]), titles
    # A playlist's picture is kept for offline play like a notice's.
    wait_offline_ready(screen)
    poll(screen, "async (url) => Boolean(await (await caches.open('kiosk-media-v1')).match(url))", guide["url"],
         message="the playlist's picture was not cached for offline play")

    # The evening programme holds the screen alone from its start to its end.
    starts = at(screen, 10)
    ends = starts + timedelta(seconds=30)
    approve_playlist(server, {"name": "Chương trình phim buổi tối", "mode": "exclusive",
                              "starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "items": [
                                  {"media_id": film["id"], "duration_s": 6, "caption": "Phim tài liệu: Điện Biên Phủ"}]})
    poll(screen, PLAYLISTS_HELD, 2, message="the programme never reached the screen")
    advance_until(screen, TITLE_IS, "Phim tài liệu: Điện Biên Phủ", within_s=30)

    # An emergency notice cuts in, and the programme comes back once it has ended.
    emergency_ends = at(screen, 12)
    server.publish("Khẩn cấp: sơ tán dân khu vực bờ sông Lô", "<p>Di chuyển ngay đến nhà văn hóa tổ 7.</p>",
                   priority="emergency", duration_s=30, ends_at=emergency_ends.isoformat())
    expect(screen.locator(TITLE)).to_have_text("Khẩn cấp: sơ tán dân khu vực bờ sông Lô", timeout=5000)
    advance_until(screen, TITLE_IS, "Phim tài liệu: Điện Biên Phủ", within_s=20)

    advance_until(screen, f"() => !({TITLE_IS})('Phim tài liệu: Điện Biên Phủ')", within_s=40)
    expect(screen.locator(TITLE)).to_have_text(re.compile("|".join(map(re.escape, order))), timeout=15000)

    changes = shown(screen)
    film_times = [e["t"] for e in changes if e["title"] == "Phim tài liệu: Điện Biên Phủ"]
    assert film_times[0] >= ms(starts), "the programme did not start early"
    during = [e for e in changes if ms(starts) + 1000 <= e["t"] < ms(ends)]
    assert {e["title"] for e in during} <= {"Phim tài liệu: Điện Biên Phủ", "Khẩn cấp: sơ tán dân khu vực bờ sông Lô"}, \
        "only the programme (and the emergency) played during its hours"
    left = next(e for e in changes if e["t"] > film_times[-1] and e["title"] != "Phim tài liệu: Điện Biên Phủ")
    assert left["t"] >= ms(ends), "it left at its end, not before"
    assert screen.console_errors == []
