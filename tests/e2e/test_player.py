"""The kiosk player in a real Chromium against the real server: pairing, publishing, outages,
emergencies, expiry while offline, revocation, pages, translations, video from the offline cache,
and a screenshot of every theme (under /tmp/kiosk-screens, to be looked at)."""

from __future__ import annotations

import os
import re
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    COMMUNE,
    RECORD_TITLES,
    SCREENSHOTS,
    advance_until,
    install_clock,
    open_player,
    poll,
    set_theme,
    shown,
    wait_offline_ready,
)
from tests.media_factory import webm_vp8

pytestmark = pytest.mark.browser

VN = timezone(timedelta(hours=7))
TITLE = "[data-testid=notice-title]"
OFFLINE = "[data-testid=offline]"
ALERT = "[data-testid=alert]"
CODE = "[data-testid=pairing-code]"

RECEPTION = (
    "<p>Ủy ban nhân dân phường Minh Xuân tiếp công dân định kỳ vào <strong>thứ Năm</strong> hằng tuần, từ 7 giờ 30 "
    "đến 11 giờ 30, tại phòng tiếp công dân (tầng 1, trụ sở Ủy ban nhân dân phường).</p>"
    "<p>Công dân mang theo căn cước và giấy tờ liên quan đến nội dung kiến nghị, phản ánh.</p>"
    "<ul><li>Tiếp nhận đơn thư khiếu nại, tố cáo;</li><li>Giải đáp chính sách đất đai, an sinh xã hội;</li>"
    "<li>Hướng dẫn thủ tục hành chính trên Cổng Dịch vụ công quốc gia.</li></ul>"
)


def vn_in(seconds: float) -> str:
    """Return the ISO time `seconds` from now on the Viet Nam clock."""
    return (datetime.now(VN) + timedelta(seconds=seconds)).replace(microsecond=0).isoformat()


def storage(page, key: str):
    return page.evaluate("key => localStorage.getItem(key)", key)


def test_screen_pairs_by_code_and_starts_playing(server, screen):
    server.publish("Lịch tiếp công dân tháng 12", RECEPTION)
    screen.goto(f"{server.url}/kiosk")
    code = screen.locator(CODE)
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"))
    qr = screen.locator("#pairing [data-testid=qr]")
    pair_url = qr.get_attribute("data-url")
    assert pair_url.endswith(f"/admin/kiosks/pair?code={code.inner_text()}")
    assert qr.locator("img").get_attribute("src").startswith(f"/kiosk/qr.svg?u={quote(pair_url, safe='')}&s=")
    expect(screen.locator("#pairing")).to_contain_text("Nhập mã ở trên, hoặc quét mã QR")

    paired = server.ok("POST", "/api/v1/kiosks/pair", "admin",
                       {"code": code.inner_text(), "name": "Nhà văn hóa tổ 5", "unit_code": COMMUNE})

    expect(screen.locator(TITLE)).to_have_text("Lịch tiếp công dân tháng 12", timeout=15000)
    expect(code).to_be_hidden()
    assert storage(screen, "kiosk.token").startswith("kt_")
    assert storage(screen, "kiosk.pending") is None
    expect(screen.locator("#unit-name")).to_have_text("Phường Minh Xuân")
    deadline = time.monotonic() + 10
    while not server.ok("GET", f"/api/v1/kiosks/{paired['id']}")["online"]:
        assert time.monotonic() < deadline, "the screen never said hello"
        time.sleep(0.2)
    assert screen.console_errors == []


def test_published_notice_reaches_the_screen_with_ticker_and_qr(server, screen):
    _, token = server.provision()
    open_player(screen, server, token)
    expect(screen.locator(".idle-card")).to_contain_text("Hiện chưa có thông báo mới.")
    expect(screen.locator(TITLE)).to_have_count(0)
    assert "token" not in screen.url, "the token leaves the address bar"

    link = "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html"
    server.publish("Thông báo lịch cắt điện ngày 25/11", "<p>Cắt điện từ 7 giờ đến 11 giờ tại tổ 3 và tổ 5.</p>",
                   qr_url=link)
    expect(screen.locator(TITLE)).to_have_text("Thông báo lịch cắt điện ngày 25/11", timeout=5000)
    expect(screen.locator("[data-testid=ticker]")).to_contain_text("Thông báo lịch cắt điện ngày 25/11")
    qr = screen.locator("#qr-panel [data-testid=qr]")
    expect(qr).to_have_attribute("data-url", link)
    assert qr.locator("img").get_attribute("src").startswith(f"/kiosk/qr.svg?u={quote(link, safe='')}&s=")
    expect(qr.locator("img")).to_have_js_property("complete", True)
    assert qr.locator("img").evaluate("img => img.naturalWidth") > 0, "the QR image loads under the page's CSP"
    # What a phone sees: decode the QR from a screenshot of the screen itself.
    import io

    import zxingcpp
    from PIL import Image

    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert [r.text for r in decoded] == [link]
    expect(screen.locator("#solar-date")).to_have_text(re.compile(r"^(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ nhật), \d\d/\d\d/\d{4}$"))
    expect(screen.locator("#lunar-date")).to_have_text(re.compile(r"^Âm lịch: (ngày )?\d+ tháng \d+"))
    expect(screen.locator("#clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    assert screen.console_errors == []


def test_screen_keeps_playing_through_outage_reload_and_restart(server, screen):
    install_clock(screen)
    _, token = server.provision()
    server.publish("Lịch tiêm chủng mở rộng tháng 12", RECEPTION, duration_s=8)
    open_player(screen, server, token)
    title = screen.locator(TITLE)
    expect(title).to_have_text("Lịch tiêm chủng mở rộng tháng 12")
    expect(screen.locator(OFFLINE)).to_have_count(0)
    wait_offline_ready(screen)

    server.stop()
    expect(screen.locator(OFFLINE)).to_be_visible(timeout=10000)
    expect(screen.locator(OFFLINE)).to_contain_text("Mất kết nối")
    screen.evaluate("() => { document.querySelector('.slide.is-active').dataset.before = 'outage'; }")
    screen.clock.run_for(9000)  # longer than the item: the loop goes round again without the server
    expect(title).to_have_text("Lịch tiêm chủng mở rộng tháng 12")
    expect(screen.locator(".slide.is-active")).not_to_have_attribute("data-before", "outage")

    screen.reload()
    expect(title).to_have_text("Lịch tiêm chủng mở rộng tháng 12", timeout=15000)
    expect(screen.locator(OFFLINE)).to_be_visible(timeout=10000)
    expect(screen.locator("#unit-name")).to_have_text("Phường Minh Xuân")
    assert screen.evaluate("document.fonts.check('700 40px \"Be Vietnam Pro\"', 'Ủy ban nhân dân')")

    server.start()
    # socket.io-client waits up to a minute between attempts (net.js), on the page's clock.
    advance_until(screen, "() => !document.querySelector('[data-testid=offline]')", within_s=70,
                  message="the screen never reconnected")
    server.publish("Thông báo mới sau khi khôi phục kết nối", priority="priority", duration_s=8)
    expect(screen.locator("[data-testid=ticker]")).to_contain_text("Thông báo mới sau khi khôi phục kết nối")
    advance_until(screen, "t => document.querySelector('[data-testid=notice-title]')?.textContent === t",
                  "Thông báo mới sau khi khôi phục kết nối", within_s=15, message="the new notice never played")


def test_emergency_notice_interrupts_at_once(server, screen):
    _, token = server.provision()
    server.publish("Họp tổ dân phố số 5", RECEPTION, duration_s=300)
    open_player(screen, server, token)
    expect(screen.locator(TITLE)).to_have_text("Họp tổ dân phố số 5")
    time.sleep(1)

    started = time.monotonic()
    server.publish("Khẩn cấp: sơ tán dân khu vực bờ sông Lô", "<p>Di chuyển ngay đến nhà văn hóa tổ 7.</p>",
                   priority="emergency", duration_s=30)
    expect(screen.locator(TITLE)).to_have_text("Khẩn cấp: sơ tán dân khu vực bờ sông Lô", timeout=3000)
    assert time.monotonic() - started < 3, "the five-minute notice on screen was cut"
    expect(screen.locator(".slide--emergency .badge-emergency")).to_have_text("KHẨN CẤP")
    expect(screen.locator("[data-testid=ticker]")).to_contain_text("sơ tán dân")


def test_a_new_notice_waits_for_the_one_on_screen_to_finish(server, screen):
    install_clock(screen)
    screen.context.add_init_script(f"({RECORD_TITLES})()")
    _, token = server.provision()
    server.publish("Lịch tiếp công dân tháng 12", RECEPTION, duration_s=12)
    open_player(screen, server, token)
    title = screen.locator(TITLE)
    expect(title).to_have_text("Lịch tiếp công dân tháng 12")
    server.publish("Thông báo thu phí vệ sinh môi trường", "<p>Nộp tại nhà văn hóa tổ dân phố.</p>", duration_s=12)
    expect(screen.locator("[data-testid=ticker]")).to_contain_text("Thông báo thu phí vệ sinh môi trường")
    first = next(e["t"] for e in shown(screen) if e["title"] == "Lịch tiếp công dân tháng 12")
    screen.clock.pause_at(datetime.fromtimestamp((first + 11_500) / 1000, VN))
    expect(title).to_have_text("Lịch tiếp công dân tháng 12", timeout=100)
    screen.clock.run_for(1000)
    expect(title).to_have_text("Thông báo thu phí vệ sinh môi trường", timeout=1000)
    second = next(e["t"] for e in shown(screen) if e["title"] == "Thông báo thu phí vệ sinh môi trường")
    assert second - first >= 11_500, "the notice on screen played its full time"


def test_notice_and_alert_leave_on_time_while_offline(server, screen):
    install_clock(screen)
    _, token = server.provision()
    # Whole seconds, as they are stored: the screen must clear at exactly this instant.
    ends = (datetime.now(VN) + timedelta(seconds=25)).replace(microsecond=0)
    server.publish("Cắt nước tạm thời tổ 3", "<p>Tạm ngừng cấp nước để sửa đường ống.</p>",
                   ends_at=ends.replace(microsecond=0).isoformat(), duration_s=120)
    server.ok("POST", "/api/v1/alerts", "admin", {
        "headline": "Mưa lớn cục bộ chiều nay", "hazard": "heavy_rain", "level": 2, "unit_codes": [COMMUNE],
        "expires_at": ends.replace(microsecond=0).isoformat()})
    open_player(screen, server, token)
    expect(screen.locator(ALERT)).to_be_visible()
    expect(screen.locator(TITLE)).to_have_text("Cắt nước tạm thời tổ 3")
    wait_offline_ready(screen)
    server.stop()
    expect(screen.locator(OFFLINE)).to_be_visible(timeout=10000)

    # The screen's clock, which the expiry follows (started with the real one), jumps to just before the end.
    screen.clock.pause_at(ends - timedelta(milliseconds=500))
    expect(screen.locator(TITLE)).to_have_text("Cắt nước tạm thời tổ 3", timeout=100)
    expect(screen.locator(ALERT)).to_be_visible(timeout=100)  # nothing left before its time
    screen.clock.run_for(1500)
    expect(screen.locator(TITLE)).to_have_count(0, timeout=1000)
    expect(screen.locator(ALERT)).to_have_count(0, timeout=1000)  # and both left on time
    expect(screen.locator(".idle-card")).to_contain_text("Phường Minh Xuân")


def test_alert_covers_the_screen_is_acknowledged_survives_reload_and_is_cancelled(server, screen):
    kiosk_id, token = server.provision()
    server.publish("Lịch tiếp công dân tháng 12", RECEPTION)
    open_player(screen, server, token)
    expect(screen.locator(TITLE)).to_have_text("Lịch tiếp công dân tháng 12")

    alert = server.ok("POST", "/api/v1/alerts", "admin", {
        "headline": "Bão số 9 đổ bộ đêm nay", "hazard": "storm", "level": 4, "unit_codes": [COMMUNE],
        "description": "Gió mạnh cấp 10, giật cấp 12.", "instruction": "Không ra khỏi nhà; chằng chống nhà cửa.",
        "expires_at": vn_in(3600)})
    overlay = screen.locator(ALERT)
    expect(overlay).to_be_visible(timeout=3000)
    expect(overlay).to_contain_text("Bão số 9 đổ bộ đêm nay")
    expect(overlay).to_contain_text("Cấp độ 4")
    expect(overlay).to_contain_text("Rủi ro thiên tai rất lớn")
    box = overlay.bounding_box()
    assert (box["width"], box["height"]) == (1920, 1080), "full screen"

    deadline = time.monotonic() + 10
    while not any(a["kiosk_id"] == kiosk_id for a in server.ok("GET", f"/api/v1/alerts/{alert['id']}")["acks"]):
        assert time.monotonic() < deadline, "the screen never acknowledged the alert"
        time.sleep(0.2)

    screen.reload()
    expect(overlay).to_be_visible(timeout=5000)
    server.ok("POST", f"/api/v1/alerts/{alert['id']}/cancel")
    expect(overlay).to_have_count(0, timeout=5000)
    expect(screen.locator(TITLE)).to_have_text("Lịch tiếp công dân tháng 12")


def test_revoked_screen_returns_to_pairing(server, screen):
    kiosk_id, token = server.provision()
    server.publish("Lịch tiếp công dân tháng 12", RECEPTION)
    open_player(screen, server, token)
    expect(screen.locator(TITLE)).to_have_text("Lịch tiếp công dân tháng 12")

    server.ok("POST", f"/api/v1/kiosks/{kiosk_id}/revoke")
    expect(screen.locator(CODE)).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"), timeout=20000)
    expect(screen.locator(TITLE)).to_be_hidden()
    assert storage(screen, "kiosk.token") is None
    assert storage(screen, "kiosk.manifest") is None


@pytest.mark.parametrize("server", [{"public": True}], indirect=True, ids=["public-url"])
def test_long_notice_pages_instead_of_shrinking(server, screen):
    install_clock(screen)
    _, token = server.provision()
    paragraphs = "".join(
        f"<p>Điều {n}. Hộ gia đình, cá nhân sử dụng đất có trách nhiệm kê khai, đăng ký đất đai và nộp hồ sơ "
        f"tại bộ phận một cửa của Ủy ban nhân dân phường trước ngày 31 tháng 12 năm 2026 theo quy định.</p>"
        for n in range(1, 15))
    server.publish("Kế hoạch đăng ký đất đai năm 2026", paragraphs, duration_s=12)
    open_player(screen, server, token)
    label = screen.locator(".slide.is-active .slide-page")
    expect(label).to_have_text(re.compile(r"^Trang 1/\d+$"))
    pages = int(label.inner_text().split("/")[1])
    assert pages >= 3
    text = screen.locator(".slide.is-active .notice-text")
    assert text.evaluate("el => el.scrollHeight <= el.clientHeight + 1"), "a page never overflows"
    size = float(text.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))
    assert size >= 0.03 * 1080, "body text stays readable from three metres"
    screen.clock.run_for(6000)  # a page's time: the item's 12 s shared, but never under 6 s (playlist.js)
    expect(label).to_have_text(f"Trang 2/{pages}", timeout=1000)
    held = screen.evaluate("JSON.parse(localStorage.getItem('kiosk.manifest')).manifest.items[0].public_url")
    assert held.startswith(server.url)
    expect(screen.locator("#qr-panel [data-testid=qr]")).to_have_attribute("data-url", held)
    expect(screen.locator("#qr-panel")).to_contain_text("Đọc toàn văn")


def test_translations_take_turns_with_the_vietnamese_text(server, screen):
    install_clock(screen)
    _, token = server.provision()
    server.publish("Thông báo lịch tiếp công dân", "<p>Tiếp công dân vào thứ Năm hằng tuần.</p>", duration_s=6,
                   translations=[{"language": "hmn", "title": "Daim ntawv tshaj tawm txog hnub txais tos pej xeem",
                                  "body": "<p>Txais tos pej xeem txhua hnub Thursday.</p>"}])
    open_player(screen, server, token)
    title = screen.locator(TITLE)
    expect(title).to_have_text("Thông báo lịch tiếp công dân")
    screen.clock.run_for(6000)  # the Vietnamese text's turn
    expect(title).to_have_text("Daim ntawv tshaj tawm txog hnub txais tos pej xeem", timeout=1000)
    expect(title).to_have_attribute("lang", "hmn")
    expect(screen.locator(".slide.is-active .badge-language")).to_have_text("Tiếng H'Mông")
    screen.clock.run_for(6000)  # the translation's turn, as long as the original's
    expect(title).to_have_text("Thông báo lịch tiếp công dân", timeout=1000)


def test_video_plays_from_the_offline_cache(server, screen):
    _, token = server.provision()
    media = server.upload("hop-dan.webm", webm_vp8(seconds=6, width=320, height=180), "video/webm")
    server.publish("Phóng sự: ngày hội đại đoàn kết", "", media_ids=[media["id"]])
    open_player(screen, server, token)
    video = screen.locator(".slide.is-active video")
    expect(video).to_have_count(1, timeout=15000)
    poll(screen, "() => document.querySelector('.slide.is-active video')?.currentTime > 0.5")
    wait_offline_ready(screen)
    poll(screen, "async url => Boolean(await (await caches.open('kiosk-media-v1')).match(url))", media["url"],
         message="the video never reached the offline cache")

    server.stop()
    screen.reload()
    expect(video).to_have_count(1, timeout=15000)
    # Played with the server down: every byte range came from the service worker's cached copy.
    poll(screen, "() => document.querySelector('.slide.is-active video')?.currentTime > 1", timeout_s=15,
         message="the video did not play from the cache")
    partial = screen.evaluate("""async url => {
        const r = await fetch(url, {headers: {Range: 'bytes=10-19'}});
        return [r.status, r.headers.get('Content-Range'), (await r.arrayBuffer()).byteLength];
    }""", media["url"])
    assert partial[0] == 206 and partial[1].startswith("bytes 10-19/") and partial[2] == 10


LOOP_FIRST = "Lịch tiếp công dân tháng 12"


def loop_on_screen(server, screen, video_s: int):
    """Put a loop of text, a `video_s`-second video and text on screen; return a function measuring the page.

    The measure: DOM nodes, JS event listeners, the JS heap after a garbage collection, video elements,
    and how many slides have been shown.
    """
    _, token = server.provision()
    media = server.upload("hop-dan.webm", webm_vp8(seconds=video_s, width=320, height=180), "video/webm")
    server.publish(LOOP_FIRST, RECEPTION, duration_s=6)
    server.publish("Phóng sự: ngày hội đại đoàn kết", "", media_ids=[media["id"]])
    server.publish("Thông báo lịch cắt điện", "<p>Cắt điện từ 7 giờ đến 11 giờ tại tổ 3.</p>", duration_s=6)
    open_player(screen, server, token)
    expect(screen.locator(TITLE)).to_have_count(1)
    screen.evaluate("""() => {
        window.slidesShown = 0;
        new MutationObserver((changes) => {
            for (const change of changes) window.slidesShown += [...change.addedNodes].filter(
                (node) => node.classList?.contains('slide') && !node.classList.contains('is-measuring')).length;
        }).observe(document.getElementById('main'), {childList: true});
    }""")
    cdp = screen.context.new_cdp_session(screen)
    cdp.send("Performance.enable")

    def measure() -> dict:
        cdp.send("HeapProfiler.collectGarbage")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return {"nodes": metrics["Nodes"], "listeners": metrics["JSEventListeners"],
                "heap_mb": round(metrics["JSHeapUsedSize"] / 2**20, 2), "videos": screen.locator("video").count(),
                "slides_shown": screen.evaluate("window.slidesShown")}

    return measure


def assert_flat(before: dict, after: dict) -> None:
    assert after["slides_shown"] > before["slides_shown"] + 4, "the loop went round"
    assert after["nodes"] <= before["nodes"] * 1.1 + 50
    assert after["listeners"] <= before["listeners"] * 1.1 + 20
    assert after["heap_mb"] <= before["heap_mb"] * 1.5 + 2
    assert after["videos"] <= 2, "old video elements are removed"


def play_slides(screen, count: int) -> None:
    """Play `count` more slides, then on to the loop's first text alone on screen (the slide before it faded
    out, the video after it not yet started), so that every measure is taken at the same point of the loop.

    The page's clock skips through the text; the video plays in real time (advance_until waits for it).
    """
    target = screen.evaluate("window.slidesShown") + count
    advance_until(screen, """([target, first]) => {
        const slides = document.querySelectorAll('#main .slide');
        return window.slidesShown >= target && slides.length === 1
            && slides[0].querySelector('[data-testid=notice-title]')?.textContent === first;
    }""", [target, LOOP_FIRST], within_s=count * 6 + 60, message="the loop stopped")


def test_looping_keeps_the_page_flat(server, screen):
    """Loop text and video round and round: DOM nodes, listeners and the JS heap must not grow.

    The page's clock moves through the text and the video lasts a second, so the loop goes round four
    times in about ten seconds; the long run on the real clock is the soak test below.
    """
    install_clock(screen)
    measure = loop_on_screen(server, screen, video_s=1)
    play_slides(screen, 4)  # one loop and a bit: everything measured and cached once
    before = measure()
    play_slides(screen, 9)  # three rounds: a video element left behind each round would exceed two
    after = measure()
    assert_flat(before, after)


SOAK_S = float(os.environ.get("KIOSK_SOAK_S", "600"))


@pytest.mark.soak
@pytest.mark.timeout(SOAK_S + 300)
def test_looping_keeps_the_page_flat_for_a_long_while(server, screen):
    """Loop text and video on the real clock for KIOSK_SOAK_S seconds (10 minutes unless told, 30 at least
    for the loop to go round; the issue asks for an hour's figure): DOM nodes, listeners and the JS heap
    must not grow.

    The numbers are written to /tmp/kiosk-screens/memory.txt.
    """
    measure = loop_on_screen(server, screen, video_s=3)
    time.sleep(20)  # one loop and a bit: everything measured and cached once
    before = measure()
    time.sleep(SOAK_S)
    after = measure()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "memory.txt").write_text(f"before {before}\nafter  {after}\n")
    assert_flat(before, after)


def images_loaded(page) -> None:
    """Wait until every image on the page has been drawn (QR codes, emblem) before a screenshot."""
    poll(page, "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)",
         message="an image never loaded")


THEMES = [("default", 1920, 1080), ("portrait", 1080, 1920), ("high-contrast", 1920, 1080)]


@pytest.mark.parametrize(("theme", "width", "height"), THEMES, ids=[t[0] for t in THEMES])
def test_theme_screenshots(server, browser, theme, width, height):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/kiosk?theme={theme}")
        expect(page.locator(CODE)).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"))
        poll(page, "() => document.fonts.status === 'loaded'")
        images_loaded(page)
        page.screenshot(path=str(SCREENSHOTS / f"{theme}-pairing.png"))
        page.close()

        kiosk_id, token = server.provision("Màn hình sảnh bộ phận một cửa")
        set_theme(server, kiosk_id, theme)
        server.publish("Lịch tiếp công dân và giải quyết thủ tục hành chính tháng 12", RECEPTION,
                       qr_url="https://dichvucong.gov.vn/p/home/dvc-trang-chu.html", duration_s=120)
        server.publish("Tuyên truyền cài đặt và sử dụng ứng dụng VNeID mức độ 2", "<p>Công dân đến trụ sở.</p>")
        page = context.new_page()
        open_player(page, server, token)  # the manifest names the theme: the page moves to it
        expect(page.locator(TITLE)).to_have_text("Lịch tiếp công dân và giải quyết thủ tục hành chính tháng 12")
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        assert page.url.endswith("/kiosk" if theme == "default" else f"/kiosk?theme={theme}")
        poll(page, "() => document.fonts.check('700 40px \"Be Vietnam Pro\"', 'Ủy ban nhân dân phường')")
        images_loaded(page)
        time.sleep(1)  # the fade and the first ticker frame
        page.screenshot(path=str(SCREENSHOTS / f"{theme}-notice.png"))

        server.ok("POST", "/api/v1/alerts", "admin", {
            "headline": "Bão số 9 (Kalmaegi) đổ bộ vào khu vực trong đêm nay", "hazard": "storm", "level": 4,
            "unit_codes": [COMMUNE], "description": "Gió mạnh cấp 10–11, giật cấp 13; mưa rất to 200–300 mm.",
            "instruction": "Không ra khỏi nhà từ 18 giờ; chằng chống nhà cửa; di chuyển khỏi khu vực ven sông, sườn đồi.",
            "expires_at": vn_in(6 * 3600)})
        expect(page.locator(ALERT)).to_be_visible(timeout=5000)
        page.screenshot(path=str(SCREENSHOTS / f"{theme}-alert.png"))
    finally:
        context.close()
