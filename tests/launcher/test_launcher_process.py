"""The real launcher keeps a real Chromium on the kiosk page: restarted after a crash, stopped cleanly.

Headless Debian Chromium against a page served on 127.0.0.1; the screen commands are real commands
that leave marker files.
"""

from __future__ import annotations

import http.server
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk_client.launcher.blanking import VIET_NAM
from tests.launcher import require_chromium

# The launcher is another process, on the real clock: this one must be too.
pytestmark = [pytest.mark.browser, pytest.mark.real_clock]

ROOT = Path(__file__).resolve().parents[2]
HEADLESS = [
    "--extra-arg=--headless=new",
    "--extra-arg=--no-sandbox",
    "--extra-arg=--disable-gpu",
    "--extra-arg=--disable-background-networking",
    "--extra-arg=--disable-component-update",
]


class KioskPage(http.server.BaseHTTPRequestHandler):
    """Serves a tiny /kiosk page and counts how often it was asked for."""

    hits: list[float]
    changed: threading.Condition

    def do_GET(self):
        if self.path.split("?")[0] != "/kiosk":
            self.send_error(404)
            return
        body = "<!doctype html><meta charset=utf-8><title>Bảng tin</title><p>Thông báo</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # every start must reach the server
        self.end_headers()
        self.wfile.write(body)
        with self.changed:
            self.hits.append(time.monotonic())
            self.changed.notify_all()

    def log_message(self, *args):
        pass


@pytest.fixture
def page():
    handler = type("Handler", (KioskPage,), {"hits": [], "changed": threading.Condition()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits for the loop to look at its flag again: every 50 ms, not the default half second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def wait_for_hits(server, count: int, timeout: float) -> bool:
    """Return whether /kiosk has been requested `count` times within `timeout` seconds."""
    handler = server.RequestHandlerClass
    with handler.changed:
        return handler.changed.wait_for(lambda: len(handler.hits) >= count, timeout)


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def children(pid: int) -> list[int]:
    """Return the pids of the direct children of `pid`."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def chromium_child(launcher: int, profile: Path) -> int | None:
    """Return the pid of the Chromium the launcher started, if it runs."""
    mine = [pid for pid in children(launcher) if f"--user-data-dir={profile}" in cmdline(pid)]
    return mine[0] if mine else None


def processes_using(profile: Path) -> list[int]:
    """Return every process whose command line names `profile` (the browser and all its helpers)."""
    needle = str(profile)
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and needle in cmdline(int(p.name))]


def test_launcher_restarts_a_killed_chromium_blanks_the_screen_and_stops_cleanly(page, tmp_path):
    chromium = require_chromium()
    profile, home, log_path = tmp_path / "profile", tmp_path / "home", tmp_path / "launcher.log"
    off, on = tmp_path / "screen-off", tmp_path / "screen-on"
    # Viet Nam time, with the launcher on a UTC device (as kiosk images often are): the range must be
    # read in Viet Nam time, not on the device's clock, where it would be seven hours off.
    now = datetime.now(VIET_NAM)
    covering_now = f"{now - timedelta(minutes=1):%H:%M}-{now + timedelta(minutes=2):%H:%M}"
    env = {name: value for name, value in os.environ.items() if name not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(tmp_path / "run"), TZ="UTC")
    server = f"http://127.0.0.1:{page.server_address[1]}"
    argv = [
        sys.executable, "-m", "kiosk_client.launcher",
        "--server", server,
        "--profile", str(profile),
        "--chromium", chromium,
        *HEADLESS,
        "--blank", covering_now,
        "--screen-off-cmd", f"touch {shlex.quote(str(off))}",
        "--screen-on-cmd", f"touch {shlex.quote(str(on))}",
        "--screen-setup-cmd=",
    ]  # fmt: skip
    with log_path.open("w") as log:
        launcher = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for_hits(page, 1, timeout=20), log_path.read_text()
        assert wait_until(off.exists, timeout=5), "the screen-off command did not run\n" + log_path.read_text()
        assert not on.exists()

        first = chromium_child(launcher.pid, profile)
        assert first, log_path.read_text()
        os.kill(first, signal.SIGKILL)
        killed_at = time.monotonic()
        assert wait_for_hits(page, 2, timeout=2 + 15), "Chromium was not restarted\n" + log_path.read_text()
        assert page.RequestHandlerClass.hits[1] - killed_at >= 1.9  # it waited the first backoff step
        second = chromium_child(launcher.pid, profile)
        assert second and second != first

        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=20) == 0, log_path.read_text()
        assert on.exists(), "a stopped kiosk leaves its screen on"
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
    output = log_path.read_text()
    assert "Chromium killed by SIGKILL" in output
    assert "restart 1 in 2 s" in output
    assert wait_until(lambda: not processes_using(profile), timeout=10), processes_using(profile)
    # Chromium's own record of its last exit: SIGTERM let it shut down in order ("SessionEnded", as
    # at a logout), so even without the launcher's patching no restore bubble would follow.
    prefs = json.loads((profile / "Default" / "Preferences").read_text(encoding="utf-8"))
    assert prefs["profile"]["exited_cleanly"] is True
    assert prefs["profile"]["exit_type"] in ("Normal", "SessionEnded")
