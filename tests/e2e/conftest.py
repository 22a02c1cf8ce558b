"""Browser tests: the real server (`python wsgi.py`) in a subprocess, driven by Debian's Chromium.

The database is prepared here exactly as an operator would (migrations, units, officers), then the
server is started on a free port with its own instance, database and media folders under tmp_path.
It can be stopped and started again on the same port and database, which is how the tests cut the
network under a playing screen. Playwright drives /usr/bin/chromium; `playwright install` is never
needed. Screenshots go to /tmp/kiosk-screens/.

The player's timers (an item's time, pages, translations, expiry, reconnecting) run on the page's clock,
which a test may put on Playwright's clock (`install_clock`) and move forward instead of waiting; the
server, the network, pictures and videos keep real time.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS = Path("/tmp/kiosk-screens")
COMMUNE = "02215"  # Phường Minh Xuân, Tuyên Quang (the demo's commune)

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen | None, sig: int) -> None:
    """Ask `proc` to stop with `sig` (its graceful signal), kill it if it has not within 10 s."""
    if proc and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class Server:
    """The kiosk server as a subprocess, with officers' API tokens for driving it."""

    root: Path
    public: bool = False  # set KIOSK_PUBLIC_URL (to this server): notices get a public page for QR codes
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=lambda: ["wsgi.py"])  # what `python` runs, from the repository root

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
        env.update({
            "KIOSK_INSTANCE_PATH": str(self.root / "instance"),
            "KIOSK_DATABASE_URL": f"sqlite:///{self.root / 'kiosk.db'}",
            "KIOSK_MEDIA_DIR": str(self.root / "media"),
            "KIOSK_BIND": f"127.0.0.1:{self.port}",
            "KIOSK_SEED_DEMO_ON_START": "0",
            "KIOSK_SECRET_KEY": "e2e-secret-key-not-for-production",
            "PYTHONUNBUFFERED": "1",
        })
        if self.public:
            env["KIOSK_PUBLIC_URL"] = self.url
        return env

    def app(self):
        """Return an app on the server's database, for preparing it from the test process."""
        from kiosk_server import create_app

        return create_app(
            {"DATABASE_URL": f"sqlite:///{self.root / 'kiosk.db'}", "MEDIA_DIR": str(self.root / "media"),
             "SOCKETIO_ASYNC_MODE": "threading", "SEED_DEMO_ON_START": False, "SECRET_KEY": "e2e",
             "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"},
            instance_path=str(self.root / "instance"),
        )

    def prepare(self) -> None:
        """Give the server its database: migrated, the demo province's units, officers and their tokens.

        A server on its own SQLite file starts from a copy of one prepared once per test process (the
        migrations and the province's units cost about two seconds a test); others prepare their own.
        """
        if type(self).app is Server.app:
            template = _sqlite_template()
            for suffix in ("", "-wal", "-shm"):
                if (template.root / f"kiosk.db{suffix}").exists():
                    shutil.copyfile(template.root / f"kiosk.db{suffix}", self.root / f"kiosk.db{suffix}")
            self.tokens = dict(template.tokens)
            return
        self.prepare_fresh()

    def prepare_fresh(self) -> None:
        """Migrate the database, load the demo province's units, create officers and their tokens."""
        from flask_migrate import upgrade

        from kiosk_server.extensions import db
        from kiosk_server.services.core.tokens import create_token
        from kiosk_server.services.core.units import import_units
        from kiosk_server.services.core.users import create_user

        app = self.app()
        with app.app_context():
            try:
                upgrade()
                import_units("08", actor="test")
                people = {
                    "admin": create_user("xa@example.vn", "password-123", "admin", COMMUNE, actor="test"),
                    "editor": create_user("bientap@example.vn", "password-123", "editor", COMMUNE, actor="test"),
                    "approver": create_user("duyet@example.vn", "password-123", "approver", COMMUNE, actor="test"),
                }
                self.tokens = {key: create_token(user, "e2e")[1] for key, user in people.items()}
            finally:  # on PostgreSQL (tests/scale) a pooled connection left open fails a later test when collected
                db.session.remove()
                db.engine.dispose()

    def start(self) -> None:
        log = (self.root / "server.log").open("ab")
        self.proc = subprocess.Popen([sys.executable, *self.command], cwd=ROOT, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):  # noqa: S310
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise RuntimeError(f"the server did not start: {self.log_tail()}")

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGTERM)
        self.proc = None

    def log_tail(self, chars: int = 4000) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    # --- the API ---------------------------------------------------------------------------

    def api(self, method: str, path: str, who: str = "admin", body: dict | None = None) -> tuple[int, dict]:
        """Call the REST API as officer `who`; return (status, JSON body)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers={  # noqa: S310
            "Authorization": f"Bearer {self.tokens[who]}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else {}

    def ok(self, method: str, path: str, who: str = "admin", body: dict | None = None) -> dict:
        status, answer = self.api(method, path, who, body)
        assert 200 <= status < 300, f"{method} {path}: {status} {answer}"
        return answer

    def publish(self, title: str, body: str = "<p>Nội dung thông báo.</p>", **fields) -> dict:
        """Create, submit and approve a notice for the commune (editor writes, approver approves)."""
        notice = {"title": title, "body": body, "unit_code": COMMUNE, "priority": "normal", "category": "local",
                  **fields}
        created = self.ok("POST", "/api/v1/notices", "editor", notice)
        self.ok("POST", f"/api/v1/notices/{created['id']}/submit", "editor")
        return self.ok("POST", f"/api/v1/notices/{created['id']}/approve", "approver")

    def provision(self, name: str = "Màn hình bộ phận một cửa") -> tuple[int, str]:
        """Provision a kiosk without pairing; return (id, token)."""
        answer = self.ok("POST", "/api/v1/kiosks", "admin", {"name": name, "unit_code": COMMUNE})
        return answer["id"], answer["token"]

    def upload(self, filename: str, content: bytes, mime: str) -> dict:
        """Upload a media file as the editor; return the API's answer."""
        boundary = "----kiosk-e2e-boundary"
        payload = (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {mime}\r\n\r\n"
        ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{self.url}/api/v1/media", data=payload, method="POST", headers={  # noqa: S310
            "Authorization": f"Bearer {self.tokens['editor']}",
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return json.loads(response.read())


@functools.cache
def _sqlite_template() -> Server:
    """The prepared SQLite database every test's server copies (one per test process)."""
    template = Server(Path(tempfile.mkdtemp(prefix="kiosk-e2e-template-")))
    atexit.register(shutil.rmtree, template.root, True)
    template.prepare_fresh()
    return template


@pytest.fixture
def server(request, tmp_path):
    """A prepared, running server; stopped after the test whatever happened.

    Parametrize it indirectly with {"public": True} for a server with a public address.
    """
    srv = Server(tmp_path, **getattr(request, "param", {}))
    srv.prepare()
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def screen(browser):
    """A fresh browser profile at 1920×1080, as a commune's landscape screen; console errors are kept."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()


def open_player(page, server: Server, token: str, theme: str | None = None) -> None:
    """Open the player with a provisioned kiosk's token (the `/kiosk#token=…` link)."""
    query = f"?theme={theme}" if theme else ""
    page.goto(f"{server.url}/kiosk{query}#token={token}")


def poll(page, script: str, arg=None, timeout_s: float = 20, message: str = "") -> None:
    """Evaluate `script` (a JS function) until it returns something truthy.

    Playwright's wait_for_function evaluates its predicate with eval(), which the player page's
    Content-Security-Policy (script-src 'self') rightly refuses; page.evaluate is not affected.
    """
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, message or f"timed out waiting for {script}"
        time.sleep(0.2)


def wait_offline_ready(page, timeout_s: float = 20) -> None:
    """Wait until the service worker controls the page and holds the page, its modules and the manifest."""
    poll(page, """async () => {
        if (!navigator.serviceWorker.controller) return false;
        const shell = await caches.open('kiosk-shell-v1');
        const data = await caches.open('kiosk-data-v1');
        const page = await shell.match(location.pathname + location.search);
        return Boolean(page && await data.match('/kiosk/manifest')
            && await shell.match('/kiosk/player/main.js') && await shell.match('/kiosk/player/schedule.js'));
    }""", timeout_s=timeout_s, message="the service worker never cached the player")


def set_theme(server: Server, kiosk_id: int, theme: str) -> None:
    """Choose the kiosk's theme as an officer would (the service behind the admin page)."""
    from kiosk_server.extensions import db
    from kiosk_server.models import Kiosk, User
    from kiosk_server.services.screens import kiosks

    with server.app().app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "xa@example.vn"))
        kiosks.update_kiosk(db.session.get(Kiosk, kiosk_id), admin, theme=theme)
        db.session.remove()
        db.engine.dispose()


# The page waits on something outside its clock: a picture being loaded and decoded (counted by
# install_clock's wrapper of decode()), or a video starting or playing, which plays in real time.
WAITING_ON_REAL_WORK = """() => window.__decoding > 0
    || Boolean(document.querySelector('#main .slide:not(.is-leaving) video'))"""


def install_clock(page, behind_s: float = 0) -> None:
    """Put `page` on Playwright's clock, before its first navigation: it starts at the real time (or `behind_s`
    seconds behind it) and runs with it until the test moves it on (`page.clock.run_for`, `advance_until`).
    """
    context = page.context
    # The fake clock answers performance.getEntriesByType() with nothing, but the player lists the files it
    # loaded from there for the offline cache (offline.js): give it the browser's own answer back.
    context.add_init_script("window.__entriesByType = performance.getEntriesByType.bind(performance);")
    # Counted so that advance_until never spends a picture's load limit (stage.js) before the picture could load.
    context.add_init_script("""(() => {
        const decode = HTMLImageElement.prototype.decode;
        window.__decoding = 0;
        HTMLImageElement.prototype.decode = function () {
            window.__decoding++;
            return decode.call(this).finally(() => { window.__decoding--; });
        };
    })();""")
    page.clock.install(time=datetime.now(UTC) - timedelta(seconds=behind_s))
    context.add_init_script("performance.getEntriesByType = window.__entriesByType;")


def page_time(page, plus_s: float = 0) -> datetime:
    """Return the page's clock `plus_s` seconds on, to the whole second (stored times are whole seconds)."""
    now_ms = page.evaluate("Date.now()")
    return datetime.fromtimestamp(now_ms / 1000 + plus_s, UTC).replace(microsecond=0)


def advance_until(page, script: str, arg=None, *, within_s: float, step_ms: int = 1000, message: str = "") -> None:
    """Move the page's clock forward until `script` (a JS function) returns something truthy.

    Fails once the test has moved the page's clock `within_s` seconds (or after a minute of real time).
    The clock is never moved while the page waits on real work (WAITING_ON_REAL_WORK): it runs at the
    real rate meanwhile, as it would on a screen.
    """
    check = f"""async (arg) => {{
        if (await ({script})(arg)) return 'done';
        return ({WAITING_ON_REAL_WORK})() ? 'waiting' : 'idle';
    }}"""
    moved_ms = 0
    deadline = time.monotonic() + 60
    while (state := page.evaluate(check, arg)) != "done":
        assert moved_ms < within_s * 1000 and time.monotonic() < deadline, \
            message or f"not within {within_s} s of the page's time: {script}"
        if state == "waiting":
            time.sleep(0.05)
        else:
            page.clock.run_for(step_ms)
            moved_ms += step_ms


# Records every change of the notice title on screen, with the page's clock, in window.__shown.
# It watches the document itself, so it also works as an init script, before there is a body.
RECORD_TITLES = """() => {
    window.__shown = [];
    const note = () => {
        const el = document.querySelector('[data-testid=notice-title]');
        const title = el ? el.textContent : null;
        const last = window.__shown[window.__shown.length - 1];
        if (!last || last.title !== title) window.__shown.push({ t: Date.now(), title });
    };
    new MutationObserver(note).observe(document, { childList: true, subtree: true, characterData: true });
    note();
}"""


def shown(page) -> list[dict]:
    """Return every change of the title on screen since recording began: [{t (ms), title}]."""
    return page.evaluate("() => window.__shown")
