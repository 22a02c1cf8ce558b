"""The notice editor in a real browser: the live preview follows the officer and never runs their HTML."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("dialog", lambda d: (page.problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(f"{server.url}/login")
    page.fill("#email", "bientap@example.vn")
    page.fill("#password", "password-123")
    page.click("button[type=submit].primary")
    try:
        yield page
    finally:
        context.close()


def test_preview_follows_the_form_and_never_runs_the_officers_html(officer, server):
    page = officer
    page.goto(f"{server.url}/admin/notices/new")
    preview = page.locator("[data-preview]")

    page.fill("#title", "Cảnh báo lũ quét")
    page.fill("#body", '<p>Không qua ngầm tràn <img src=x onerror="alert(1)"></p><script>alert(2)</script>')
    page.check("input[name=priority][value=emergency]")
    page.fill("#qr_url", "https://dichvucong.gov.vn")

    assert preview.locator('[data-part="title"]').inner_text() == "Cảnh báo lũ quét"
    assert preview.locator('[data-part="body"]').inner_html() == "<p>Không qua ngầm tràn </p>"
    assert preview.locator('[data-part="alert"]').is_visible(), "an emergency shows its red band"
    assert preview.locator('[data-part="qr"]').is_visible()
    page.fill("#translations-0-language", "km")
    page.fill("#translations-0-title", "ការព្រមាន")
    page.click('[data-part="langs"] button[data-language="km"]')
    assert preview.locator('[data-part="title"]').inner_text() == "ការព្រមាន"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "notice-editor.png"))

    page.click("button[name=action][value=save]")
    page.wait_for_url("**/admin/notices/*")
    assert page.locator("h1").inner_text() == "Cảnh báo lũ quét"
    assert page.problems == []
