"""The playlist editor in a real browser: pick, reorder by keyboard and by drag and drop, see the loop's
length and the preview follow, save in that order."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_notice_editor import officer  # noqa: F401  (the signed-in editor's page)
from tests.media_factory import png

pytestmark = pytest.mark.browser

ITEMS = "[data-items] [data-item]"


def titles(page) -> list[str]:
    return page.locator(f"{ITEMS} [data-item-title]").all_inner_texts()


def test_an_officer_orders_the_programme_by_keyboard_and_by_dragging(officer, server):  # noqa: F811
    page = officer
    server.upload("phim-tai-lieu.png", png(128, 72), "image/png")
    server.upload("ap-phich.png", png(96, 54), "image/png")
    server.publish("Lịch chiếu phim tháng 12", duration_s=12)
    page.goto(f"{server.url}/admin/playlists/new")
    page.fill("#name", "Chương trình phim tối thứ Bảy")

    page.click('[data-picker="media"] [data-add][data-title="phim-tai-lieu.png"]')
    page.click('[data-picker="media"] [data-add][data-title="ap-phich.png"]')
    page.click('[data-picker="notice"] [data-add]')
    assert titles(page) == ["phim-tai-lieu.png", "ap-phich.png", "Lịch chiếu phim tháng 12"]
    expect(page.locator("[data-loop-total]")).to_have_text("Mỗi vòng: 32 giây")

    # Keyboard: focus the notice's Up button and press Enter twice; focus stays on the moved row.
    page.locator(f"{ITEMS}").nth(2).locator('[data-move="up"]').focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert titles(page) == ["Lịch chiếu phim tháng 12", "phim-tai-lieu.png", "ap-phich.png"]
    expect(page.locator("[role=status]").last).to_contain_text("vị trí 1")

    # Drag and drop: the poster goes to the top.
    page.locator(ITEMS).nth(2).drag_to(page.locator(ITEMS).nth(0), target_position={"x": 20, "y": 5})
    assert titles(page) == ["ap-phich.png", "Lịch chiếu phim tháng 12", "phim-tai-lieu.png"]
    page.locator(ITEMS).nth(2).locator('[data-part="duration"]').fill("40")
    expect(page.locator("[data-loop-total]")).to_have_text("Mỗi vòng: 62 giây")

    # The preview plays the first item now; a picture without a caption is titled with the programme's name.
    preview = page.frame_locator("[data-preview-frame] iframe")
    expect(preview.locator("[data-testid=notice-title]")).to_have_text("Chương trình phim tối thứ Bảy", timeout=10000)
    page.locator(ITEMS).nth(0).locator('[data-part="caption"]').fill("Áp phích tháng 12")
    expect(preview.locator("[data-testid=notice-title]")).to_have_text("Áp phích tháng 12", timeout=10000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "playlist-editor.png"), full_page=True)

    page.click(".editor-actions button[name=action][value=save]")
    page.wait_for_url("**/admin/playlists/*")
    expect(page.locator("[data-testid=playlist-items] strong")).to_have_text(
        ["Áp phích tháng 12", "Lịch chiếu phim tháng 12", "phim-tai-lieu.png"])
    expect(page.locator("[data-testid=loop-length]")).to_contain_text("62 giây")
    assert page.problems == []
