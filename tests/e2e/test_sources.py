"""Information sources end to end: the real server polls real upstream servers on its own schedule, and a
real Chromium screen shows what they bring, the source named and its article behind the QR."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.cap_samples import cap_message
from tests.e2e.conftest import COMMUNE, Server, open_player
from tests.source_server import rss

pytestmark = pytest.mark.browser

ARTICLE = "https://tuyenquang.gov.vn/tin-tuc/lich-cat-dien-thang-12"


@dataclass
class SourcesServer(Server):
    allow: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "KIOSK_SOURCE_ALLOW_HOSTS": self.allow}


@pytest.fixture
def server(tmp_path, upstream):
    srv = SourcesServer(tmp_path, allow=upstream.host)
    srv.prepare()
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def trusted_source(server, body: dict) -> None:
    """An approver adds the source paused, a second officer (not its author) trusts it, then it starts polling."""
    source = server.ok("POST", "/api/v1/sources", "approver", {**body, "active": False})
    server.ok("POST", f"/api/v1/sources/{source['id']}/trust", "admin")
    server.ok("PATCH", f"/api/v1/sources/{source['id']}", "approver", {"active": True})


def test_a_trusted_portal_bulletin_and_a_cap_warning_reach_the_screen_on_their_own(server, screen, upstream):
    _, token = server.provision()
    open_player(screen, server, token)
    expect(screen.locator(".idle-card")).to_be_visible()

    upstream.serve("/rss", rss(("cd-12", "Lịch cắt điện tháng 12", ARTICLE, "<p>Cắt điện tổ 3 sáng thứ Bảy.</p>")),
                   content_type="application/rss+xml")
    trusted_source(server, {
        "name": "Cổng TTĐT tỉnh Tuyên Quang", "kind": "feed", "url": upstream.url("/rss"), "unit_code": COMMUNE,
        "bulletin_class": "priority", "auto_publish": True})
    # No "poll now": the server's own schedule (stored due work) takes the first poll.
    expect(screen.locator("[data-testid=notice-title]")).to_have_text("Lịch cắt điện tháng 12", timeout=20000)
    expect(screen.locator(".slide.is-active .slide-source, .slide:not(.is-leaving) .slide-source").first).to_have_text(
        "Nguồn: Cổng TTĐT tỉnh Tuyên Quang")
    expect(screen.locator("#qr-panel [data-testid=qr]")).to_have_attribute("data-url", ARTICLE)

    upstream.serve("/cap.xml", cap_message("KTTV-E2E-1", headline="Cảnh báo lũ quét trên suối Nậm Rằng"),
                   content_type="application/cap+xml")
    trusted_source(server, {
        "name": "Đài KTTV tỉnh", "kind": "cap", "url": upstream.url("/cap.xml"), "unit_code": COMMUNE,
        "auto_publish": True})
    expect(screen.locator("[data-testid=alert]")).to_contain_text("Cảnh báo lũ quét trên suối Nậm Rằng", timeout=20000)
    assert screen.console_errors == []
