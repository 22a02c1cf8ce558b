"""Shared fixtures: an app on a fresh SQLite file per test, clients, officers and tokens.

The test configuration cuts side effects: its own instance folder and media folder under tmp_path,
memory rate-limit storage, and no demo seeding. PostgreSQL and Redis tests read their servers from
KIOSK_TEST_DATABASE_URL and KIOSK_TEST_REDIS_URL; without them they skip, loudly, except in CI
where a missing server is a failure.
"""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from kiosk_server import create_app
from kiosk_server.extensions import db

ENV_ISOLATION = (
    "KIOSK_DATABASE_URL",
    "KIOSK_REDIS_URL",
    "KIOSK_MEDIA_DIR",
    "KIOSK_SECRET_KEY",
    "KIOSK_PUBLIC_URL",
    "KIOSK_INSTANCE_PATH",
    "KIOSK_BIND",
)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    # `make test` compiles the catalogues; this keeps a bare `pytest` run honest too.
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "compile", "-d", "kiosk_server/translations"])


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    # A developer's own KIOSK_* settings must never leak into a test (or a test into their data).
    for name in ENV_ISOLATION:
        monkeypatch.delenv(name, raising=False)


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


def make_app(tmp_path, **extra):
    """Return an app with its schema created and the demo province's units loaded."""
    app = create_app(test_config(tmp_path, **extra), instance_path=str(tmp_path / "instance"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        from kiosk_server.services.units import import_units

        import_units("08", actor="test")  # Tuyên Quang: the province the demo uses
        from kiosk_server.services.categories import ensure_defaults

        ensure_defaults()
        from kiosk_server.services.links import ensure_default_links

        ensure_default_links()
        import_units("04", actor="test")  # Cao Bằng: a second province, for scope checks
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
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
    from kiosk_server.services.users import create_user

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
def tokens(officers):
    """A bearer token for each officer in `officers`."""
    from kiosk_server.services.tokens import create_token

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
def fresh_postgres_database():
    """Yield the URL of a new, empty PostgreSQL database on the test server; drop it afterwards."""
    base = _require_env("KIOSK_TEST_DATABASE_URL")
    name = f"kiosk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for this test; dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url():
    """A Redis URL on a database number of its own, flushed before and after the test."""
    import redis

    url = _require_env("KIOSK_TEST_REDIS_URL")
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()
