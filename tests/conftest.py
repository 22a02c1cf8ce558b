"""Shared fixtures: an app on a fresh SQLite file per test, clients, officers and tokens.

The test configuration cuts side effects: its own instance folder and media folder under tmp_path,
memory rate-limit storage, and no demo seeding. PostgreSQL and Redis tests read their servers from
KIOSK_TEST_DATABASE_URL and KIOSK_TEST_REDIS_URL; without them they skip, loudly, except in CI
where a missing server is a failure.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from kiosk_server import create_app
from kiosk_server.extensions import db

# Every test runs on a fixed clock at the edge of a Viet Nam day (see tests/clock.py).
pytest_plugins = ["tests.clock"]

ENV_ISOLATION = (
    "KIOSK_DATABASE_URL",
    "KIOSK_REDIS_URL",
    "KIOSK_MEDIA_DIR",
    "KIOSK_SECRET_KEY",
    "KIOSK_PUBLIC_URL",
    "KIOSK_INSTANCE_PATH",
    "KIOSK_BIND",
)


def pytest_configure(config):
    # `make test` compiles the catalogues; this keeps a bare `pytest` run honest too. Once, before any
    # xdist worker starts (a worker has `workerinput`): workers compiling at once would read each
    # other's half-written files.
    if not hasattr(config, "workerinput"):
        from babel.messages.frontend import CommandLineInterface

        CommandLineInterface().run(["pybabel", "--quiet", "compile", "-d", "kiosk_server/translations"])


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    # A developer's own KIOSK_* settings must never leak into a test (or a test into their data).
    for name in ENV_ISOLATION:
        monkeypatch.delenv(name, raising=False)


HERE = Path(__file__).parent
# Tests that run other processes (a server, nginx, Chromium) go one group at a time to a single xdist
# worker: two browsers and two server clusters on two cores would fight, and time-sensitive checks (an
# emergency on screen within 3 s) would measure the fight. The other workers take everything else.
XDIST_GROUPS = {HERE / "e2e": "browser", HERE / "launcher" / "test_launcher_process.py": "browser",
                HERE / "scale": "cluster"}


def pytest_collection_modifyitems(items):
    for item in items:
        path = Path(str(item.fspath))
        if HERE / "sockets" in path.parents:  # Socket.IO keeps rooms and sessions in its server
            item.add_marker(pytest.mark.fresh_app)
        for place, group in XDIST_GROUPS.items():
            if place == path or place in path.parents:
                item.add_marker(pytest.mark.xdist_group(group))


def test_config(tmp_path, **extra) -> dict:
    """Return the settings every test app starts from."""
    config = {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
        "MEDIA_DIR": str(tmp_path / "media"),
        "SOCKETIO_ASYNC_MODE": "threading",
        "RATELIMIT_STORAGE_URI": "memory://",
        "SEED_DEMO_ON_START": False,
        # scrypt is right for production and slow on purpose; tests hash hundreds of passwords.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "ACK_BATCH_SECONDS": 0,  # receipts written at once, so a test reads them right after the ack
        "ALERT_MANIFEST_DELAY_S": 0,  # the manifest message follows the alert at once
        "ALERT_SEND_IN_BACKGROUND": False,  # the alert is on the test's sockets when the call returns
        "PRESENCE_FLUSH_SECONDS": 0,  # screens' status written at once, so a test reads it right after
        "REVOKED_SWEEP_SECONDS": 0,  # no sweeping thread: a revoked screen is closed when it next speaks
    }
    config.update(extra)
    return config


test_config.__test__ = False  # a helper, not a test


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in production.

    The fixtures keep an app context open so tests can query the database; without this, requests
    would share that context's `g` (Flask-Babel's cached locale, Flask-Login's cached user).
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # The request wrote through its own session; make the test's session read afresh.
        from flask import has_app_context

        if has_app_context():
            db.session.expire_all()
        return response


def forget_dead_limit_storage() -> None:
    """Let the next app count its limits in its own storage again.

    Flask-Limiter's one extension object serves every app a test process builds, and once a Redis did
    not answer (tests/web/test_redis_away.py, tests/test_redis.py) it keeps counting in memory until a
    later request finds that Redis again. A new app has a new storage; in production a process builds one
    app, so this is the test process's concern only.
    """
    from kiosk_server.extensions import limiter

    # Flask-Limiter has no public way to say "this is a new storage", nor to decide the memory fallback
    # afresh from the next app's settings (once on, it stays on for the process).
    limiter._storage_dead = False
    limiter._in_memory_fallback_enabled = False


def make_app(tmp_path, **extra):
    """Return an app with its schema created and the demo province's units loaded."""
    forget_dead_limit_storage()
    app = create_app(test_config(tmp_path, **extra), instance_path=str(tmp_path / "instance"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        from kiosk_server.services.core.units import import_units

        import_units("08", actor="test")  # Tuyên Quang: the province the demo uses
        from kiosk_server.services.content.categories import ensure_defaults

        ensure_defaults()
        from kiosk_server.services.content.links import ensure_default_links

        ensure_default_links()
        import_units("04", actor="test")  # Cao Bằng: a second province, for scope checks
    return app


class SharedApp:
    """One app per test process, handed to each test as if new: its settings, database and counters reset.

    Building an app (routes compiled, the OpenAPI document, the schema, two provinces' units) cost
    more than most tests themselves; a copy of the database file costs a millisecond. Whatever a test
    could leave behind is put back: the settings (with the test's own media and photo folders), the
    database (copied from the state `make_app` left), the rate-limit counters. A test that builds an
    app of its own (`make_app`) takes over the process-wide extensions (Socket.IO, the limiter), so
    the next test gets a new shared app rather than one whose extensions serve another.
    """

    def __init__(self, root: Path) -> None:
        from kiosk_server.extensions import socketio

        self.app = make_app(root)
        with self.app.app_context():
            db.engine.dispose()  # closes the file, so the copy below holds everything
        self.database = root / "test.db"
        self.template = root / "template.db"
        shutil.copyfile(self.database, self.template)
        self.config = copy.deepcopy(dict(self.app.config))
        self.extensions = set(self.app.extensions)  # what create_app made; the rest are caches made on use
        self.server = socketio.server

    def still_ours(self) -> bool:
        from kiosk_server.extensions import socketio

        return socketio.server is self.server

    def reset(self, tmp_path: Path):
        from kiosk_server.extensions import limiter

        app = self.app
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        app.config.update(MEDIA_DIR=str(tmp_path / "media"),
                          FEEDBACK_PHOTO_DIR=str(tmp_path / "instance" / "feedback-photos"))
        for cache in set(app.extensions) - self.extensions:  # the manifest cache, media stores
            del app.extensions[cache]
        with app.app_context():
            db.engine.dispose()  # no connection may hold the file the copy replaces
            for leftover in (self.database.with_name("test.db-wal"), self.database.with_name("test.db-shm")):
                leftover.unlink(missing_ok=True)
            shutil.copyfile(self.template, self.database)
            limiter.reset()
        forget_dead_limit_storage()
        return app


@pytest.fixture(scope="session")
def _shared_apps(tmp_path_factory):
    made: list[SharedApp] = []

    def current() -> SharedApp:
        if not made or not made[-1].still_ours():
            made.append(SharedApp(tmp_path_factory.mktemp("app")))
        return made[-1]

    return current


@pytest.fixture
def app(request, _shared_apps, tmp_path):
    """The app on a database just as `make_app` leaves it (units, categories, links), for this test alone.

    `@pytest.mark.fresh_app` gives a test an app built for it alone, for what a reset cannot put back
    (a process's metrics registry, Socket.IO's rooms).
    """
    if request.node.get_closest_marker("fresh_app"):
        app = make_app(tmp_path)
    else:
        app = _shared_apps().reset(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PROVINCE = "08"  # Tuyên Quang
COMMUNE = "02215"  # Phường Minh Xuân, in Tuyên Quang
OTHER_PROVINCE = "04"  # Cao Bằng
OTHER_COMMUNE = "01273"  # a commune of Cao Bằng


@pytest.fixture
def officers(app):
    """Officers of each role and scope, with the password `password-123`."""
    from kiosk_server.services.core.users import create_user

    people = {
        "national": create_user("root@example.vn", "password-123", "admin", None, actor="test"),
        "province_admin": create_user("tinh@example.vn", "password-123", "admin", PROVINCE, actor="test"),
        "commune_admin": create_user("xa@example.vn", "password-123", "admin", COMMUNE, actor="test"),
        "approver": create_user("duyet@example.vn", "password-123", "approver", COMMUNE, actor="test"),
        "editor": create_user("bientap@example.vn", "password-123", "editor", COMMUNE, actor="test"),
        "viewer": create_user("xem@example.vn", "password-123", "viewer", COMMUNE, actor="test"),
        "other_admin": create_user("caobang@example.vn", "password-123", "admin", OTHER_PROVINCE, actor="test"),
    }
    return people


@pytest.fixture
def province_people(app, tokens):
    """The commune's officers' tokens (`tokens`) and a province editor's and approver's."""
    from kiosk_server.services.core.tokens import create_token
    from kiosk_server.services.core.users import create_user

    editor = create_user("bientap.tinh@example.vn", "password-123", "editor", PROVINCE, actor="test")
    approver = create_user("duyet.tinh@example.vn", "password-123", "approver", PROVINCE, actor="test")
    return {**tokens, "province_editor": create_token(editor, "test")[1],
            "province_approver": create_token(approver, "test")[1]}


@pytest.fixture
def upstream():
    """An upstream web server on loopback that serves what a test tells it (tests/source_server.py)."""
    from tests.source_server import Upstream

    server = Upstream()
    yield server
    server.stop()


@pytest.fixture
def tokens(officers):
    """A bearer token for each officer in `officers`."""
    from kiosk_server.services.core.tokens import create_token

    return {key: create_token(user, "test")[1] for key, user in officers.items()}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


class Auth:
    """Signs a test client in and out through the real form, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path: str = "/login") -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, email: str, password: str = "password-123"):
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": self.csrf()}
        )

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf("/admin/")})


@pytest.fixture
def auth(client):
    return Auth(client)


# --- real servers -------------------------------------------------------------------------------

def _require_env(name: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    message = f"{name} is not set: this test needs a real server (see .ci/run)"
    if os.environ.get("CI"):
        pytest.fail(message + " and CI must run it")
    pytest.skip(message)


@contextmanager
def fresh_postgres_database(template: str | None = None):
    """Yield the URL of a new PostgreSQL database on the test server, empty or a copy of the database
    at URL `template`; drop it afterwards."""
    base = _require_env("KIOSK_TEST_DATABASE_URL")
    name = f"kiosk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    try:  # the admin engine is disposed even when the database could not be made
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
        try:
            yield base.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for this test; dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def postgres_app(tmp_path, postgres_url):
    """`postgres_app(**settings)`: an app as `make_app` builds it, on this test's own PostgreSQL database.

    Its engine is disposed after the test, passed or failed. A test that disposed it itself, last, left it
    open when an assertion failed first, and the garbage collector's warning about the pooled connection
    then failed whichever later test the collector happened to run in.
    """
    made = []

    def make(**settings):
        made.append(make_app(tmp_path, DATABASE_URL=postgres_url, **settings))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def worker_redis_url(url: str) -> str:
    """Return `url` on a Redis database of this xdist worker's own (counting down from the one given).

    Tests flush their database before and after; two workers on one database would flush each other's.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    base, _, number = url.rpartition("/")
    index = int(worker.removeprefix("gw") or 0)
    return f"{base}/{(int(number or 0) - index) % 16}"


@pytest.fixture
def redis_url():
    """A Redis URL on a database number of its own, flushed before and after the test."""
    import redis

    url = worker_redis_url(_require_env("KIOSK_TEST_REDIS_URL"))
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
