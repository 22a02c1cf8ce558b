"""Player benchmarks (issue 4), in Debian's headless Chromium against the real server.

    .venv/bin/python -m bench.player latency            # approval -> emergency notice on screen, 20 runs
    .venv/bin/python -m bench.player reconnect          # server restart -> screen connected again, 5 runs
    .venv/bin/python -m bench.player memory --minutes 60   # an hour of looping with video: heap, DOM, RSS

The server and browser helpers are the browser tests' own (tests/e2e/conftest.py), so the benchmark
runs exactly what the tests check. Times come from one clock: the page records Date.now() when the
title changes, and the bench records it just before the approving API call.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Server, open_player, poll  # noqa: E402

WATCH_TITLE = """() => {
    // Record when each title first appears in the main zone (Date.now(): the same clock as the bench).
    window.__titles = window.__titles || {};
    const note = () => {
        const el = document.querySelector('[data-testid=notice-title]');
        if (el && !(el.textContent in window.__titles)) window.__titles[el.textContent] = Date.now();
    };
    new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
    note();
}"""


def _browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _screen(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    return context, context.new_page()


@contextmanager
def running_server():
    """Yield a prepared, running server on a fresh database; stopped whatever happens."""
    server = Server(Path(tempfile.mkdtemp(prefix="bench-player-")))
    server.prepare()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def latency(runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    with running_server() as server:
        _, token = server.provision()
        server.publish("Lịch tiếp công dân", body="<p>Thứ Năm hằng tuần.</p>")
        with sync_playwright() as p:
            browser = _browser(p)
            context, page = _screen(browser)
            open_player(page, server, token)
            poll(page, "() => document.querySelector('[data-testid=notice-title]')?.textContent === 'Lịch tiếp công dân'",
                 timeout_s=30)
            page.evaluate(WATCH_TITLE)
            samples = []
            for i in range(runs):
                title = f"Khẩn cấp số {i + 1}: mất điện toàn phường"
                created = server.ok("POST", "/api/v1/notices", "editor", {
                    "title": title, "body": "<p>Khẩn cấp.</p>", "unit_code": "02215", "priority": "emergency"})
                server.ok("POST", f"/api/v1/notices/{created['id']}/submit", "editor")
                started = time.time() * 1000
                server.ok("POST", f"/api/v1/notices/{created['id']}/approve", "approver")
                poll(page, "(t) => t in (window.__titles || {})", title, timeout_s=20)
                samples.append(page.evaluate("(t) => window.__titles[t]", title) - started)
                server.ok("POST", f"/api/v1/notices/{created['id']}/withdraw", "approver")
                poll(page, "() => !document.querySelector('[data-testid=notice-title]')?.textContent.startsWith('Khẩn')",
                     timeout_s=20)
            context.close()
            browser.close()
        return {"runs": runs, "median_ms": round(statistics.median(samples)), "min_ms": round(min(samples)),
                "max_ms": round(max(samples))}


def reconnect(runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    with running_server() as server:
        _, token = server.provision()
        server.publish("Lịch tiếp công dân")
        samples = []
        with sync_playwright() as p:
            browser = _browser(p)
            context, page = _screen(browser)
            open_player(page, server, token)
            poll(page, "() => !document.querySelector('[data-testid=offline]')", timeout_s=30)
            for _ in range(runs):
                server.stop()
                poll(page, "() => Boolean(document.querySelector('[data-testid=offline]'))", timeout_s=30)
                time.sleep(3)  # an outage of a few seconds, as a restart takes
                server.start()
                ready = time.time()
                poll(page, "() => !document.querySelector('[data-testid=offline]')", timeout_s=90)
                samples.append(time.time() - ready)
            context.close()
            browser.close()
        return {"runs": runs, "median_s": round(statistics.median(samples), 2), "max_s": round(max(samples), 2),
                "samples_s": [round(s, 2) for s in samples]}


def _rss_mb(root_pid: int) -> float:
    """Sum the resident memory of a process and all its descendants (Chromium's process tree)."""
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{pid}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, StopIteration):
            continue
    return round(total / 1024, 1)


def _video() -> bytes:
    """A 4-second H.264 MP4 made here (no media is committed)."""
    from tests.media_factory import mp4_h264_aac

    return mp4_h264_aac(width=640, height=360, seconds=4, rate=25)


def memory(minutes: float, every_s: float) -> dict:
    from playwright.sync_api import sync_playwright

    from tests.media_factory import jpeg

    with running_server() as server:
        _, token = server.provision()
        video = server.upload("video.mp4", _video(), "video/mp4")
        image = server.upload("anh.jpg", jpeg(1280, 720), "image/jpeg")
        server.publish("Video tuyên truyền", media_ids=[video["id"]])
        server.publish("Ảnh hoạt động", media_ids=[image["id"]], duration_s=5)
        server.publish("Thông báo chữ", body="<p>" + "Nội dung dài. " * 40 + "</p>", duration_s=5)
        samples = []
        with sync_playwright() as p:
            browser = _browser(p)
            context, page = _screen(browser)
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            open_player(page, server, token)
            poll(page, "() => Boolean(document.querySelector('[data-testid=notice-title]'))", timeout_s=30)
            started = time.time()
            browser_pid = browser.process.pid if hasattr(browser, "process") else None
            while True:
                metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                samples.append({
                    "minute": round((time.time() - started) / 60, 1),
                    "js_heap_mb": round(metrics.get("JSHeapUsedSize", 0) / 2**20, 1),
                    "dom_nodes": int(metrics.get("Nodes", 0)),
                    "media_elements": page.evaluate("() => document.querySelectorAll('video, img').length"),
                    "chromium_rss_mb": _rss_mb(browser_pid) if browser_pid else None,
                })
                if time.time() - started >= minutes * 60:
                    break
                time.sleep(every_s)
            context.close()
            browser.close()
        first, last = samples[0], samples[-1]
        return {"minutes": minutes, "first": first, "last": last,
                "max_js_heap_mb": max(s["js_heap_mb"] for s in samples),
                "max_dom_nodes": max(s["dom_nodes"] for s in samples), "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["latency", "reconnect", "memory"])
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--every", type=float, default=60, help="seconds between memory samples")
    args = parser.parse_args()
    if args.what == "latency":
        result = latency(args.runs or 20)
    elif args.what == "reconnect":
        result = reconnect(args.runs or 5)
    else:
        result = memory(args.minutes, args.every)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
