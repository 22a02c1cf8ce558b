"""Several server OS processes on one PostgreSQL database and one Redis, as a province runs them.

Each process is `python wsgi.py` (gevent) started exactly as an operator would, with its own port
and instance folder but the same database, Redis, media store and secret key. Simulated screens are
python-socketio clients (the same client the fan-out benchmark uses) on an event loop of their own,
so a test reads like the feature: a notice approved on A reaches a screen on B.

These tests need KIOSK_TEST_DATABASE_URL and KIOSK_TEST_REDIS_URL; without them they skip loudly,
and in CI a missing server fails them (see tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import gc
import signal
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import fresh_postgres_database
from tests.e2e.conftest import Server

SECRET = "scale-tests-secret-key-not-for-production"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    # The servers under test are other processes; what these tests' own clients leave to the garbage
    # collector when a server is killed under them (an aiohttp socket) says nothing about the product.
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))


@dataclass
class ClusterServer(Server):
    """One server process of a cluster: the e2e Server on PostgreSQL and Redis instead of SQLite."""

    database_url: str = ""
    redis_url: str = ""
    media_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    # Required with a Redis URL. A cluster's servers share one (make_cluster, through extra_env); this one
    # is for a server started alone, and stays the same across its restarts.
    redis_namespace: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:12]}")

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        env.update({
            "KIOSK_DATABASE_URL": self.database_url,
            "KIOSK_REDIS_URL": self.redis_url,
            "KIOSK_REDIS_NAMESPACE": self.redis_namespace,
            "KIOSK_MEDIA_DIR": str(self.media_dir or self.root / "media"),
            "KIOSK_SECRET_KEY": SECRET,
            **self.extra_env,
        })
        return env

    def app(self):
        from kiosk_server import create_app

        return create_app(
            {"DATABASE_URL": self.database_url, "MEDIA_DIR": str(self.media_dir or self.root / "media"),
             "SOCKETIO_ASYNC_MODE": "threading", "SEED_DEMO_ON_START": False, "SECRET_KEY": SECRET,
             "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"},
            instance_path=str(self.root / "instance"),
        )

    def kill(self) -> None:
        """End the process at once, as a crash or an OOM kill would: no cleanup runs."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None


@dataclass
class Cluster:
    """Server processes sharing one database, one Redis and one media store."""

    servers: list[ClusterServer]

    def __getitem__(self, index: int) -> ClusterServer:
        return self.servers[index]

    @contextmanager
    def db_app(self) -> Iterator[Any]:
        """Yield an app on the shared database, in its app context, for reading what the processes wrote.

        Its engine is disposed afterwards, whatever happened: a pooled connection left to the garbage
        collector warns (an error) in whichever later test, of any folder, the collector runs in.
        """
        from kiosk_server.extensions import db

        app = self.servers[0].app()
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def make_cluster(tmp_path: Path, database_url: str, redis_url: str, count: int = 2,
                 extra_env: dict[str, str] | None = None) -> Cluster:
    media = tmp_path / "media"
    # A Redis namespace of its own: another test run on the same Redis (another engineer's, a second
    # checkout) must not reach this cluster's screens, whose alert and kiosk ids start at 1 too.
    env = {"KIOSK_REDIS_NAMESPACE": f"test-{uuid.uuid4().hex[:12]}", **(extra_env or {})}
    servers = [
        ClusterServer(tmp_path / f"p{i}", database_url=database_url, redis_url=redis_url, media_dir=media,
                      extra_env=dict(env))
        for i in range(count)
    ]
    for server in servers:
        server.root.mkdir(parents=True)
    servers[0].prepare()
    for server in servers[1:]:
        server.tokens = dict(servers[0].tokens)
    return Cluster(servers)


@pytest.fixture(scope="session")
def _migrated_postgres(tmp_path_factory):
    """A PostgreSQL database migrated to the current schema with the demo province's units, once a session."""
    from flask_migrate import upgrade

    from kiosk_server.extensions import db
    from kiosk_server.services.core.units import import_units

    with fresh_postgres_database() as url:
        app = ClusterServer(tmp_path_factory.mktemp("template"), database_url=url).app()
        with app.app_context():
            try:
                upgrade()
                import_units("08", actor="test")
            finally:  # disposed even when the migration fails (see Cluster.db_app)
                db.session.remove()
                db.engine.dispose()
        yield url


@pytest.fixture
def postgres_url(_migrated_postgres):
    """A copy of the migrated database for this test (migrating anew cost each cluster test 1.5 s)."""
    with fresh_postgres_database(template=_migrated_postgres) as url:
        yield url


def start_all(servers: list[ClusterServer]) -> None:
    """Start `servers` at once (each takes a second or two to import and listen) and wait for all."""
    with ThreadPoolExecutor(len(servers)) as pool:
        for started in [pool.submit(server.start) for server in servers]:
            started.result()


def running_cluster(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[Cluster]:
    """Yield A and B running on `database_url` and `redis_url`; stop both afterwards whatever happened."""
    group = make_cluster(tmp_path, database_url, redis_url)
    try:
        start_all(group.servers)
        yield group
    finally:
        for server in group.servers:
            server.stop()


@pytest.fixture
def cluster(tmp_path, postgres_url, redis_url):
    """Two running server processes, A and B, on one PostgreSQL database and one Redis."""
    yield from running_cluster(tmp_path, postgres_url, redis_url)


# --- simulated screens -------------------------------------------------------------------------


class EventLoop:
    """An asyncio loop on a thread of its own, so synchronous tests can drive async clients."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


class Screen:
    """A simulated kiosk on the /kiosk namespace: records every event it is sent, with its arrival time."""

    def __init__(self, loop: EventLoop, url: str, token: str, ack_alerts: bool = True, reconnect: bool = False,
                 hello: bool = False, ssl_verify: bool = True) -> None:
        import socketio

        self.loop = loop
        self.url = url
        self.token = token
        self.events: list[tuple[float, str, Any]] = []
        # Reconnecting as the player does (after a short delay, for ever), or never.
        self.client = socketio.AsyncClient(reconnection=reconnect, reconnection_delay=0.2, reconnection_delay_max=1,
                                           ssl_verify=ssl_verify)
        self.ack_alerts = ack_alerts

        @self.client.event(namespace="/kiosk")
        async def connect():
            self.events.append((time.time(), "connect", None))
            if hello:  # as the player does on every (re)connect: "here is the version I hold"
                await self.client.emit("hello", {"version": -1}, namespace="/kiosk")

        @self.client.event(namespace="/kiosk")
        async def disconnect(reason=None):
            self.events.append((time.time(), "disconnect", reason))

        @self.client.on("*", namespace="/kiosk")
        async def on_any(event, data=None):
            self.events.append((time.time(), event, data))
            if event == "alert" and self.ack_alerts and isinstance(data, dict):
                await self.client.emit("alert_ack", {"id": data["id"]}, namespace="/kiosk")

    def connect(self) -> Screen:
        self.loop.run(self.client.connect(self.url, namespaces=["/kiosk"], transports=["websocket"],
                                          auth={"token": self.token}, wait_timeout=15))
        return self

    def emit(self, event: str, data: Any = None) -> None:
        self.loop.run(self.client.emit(event, data, namespace="/kiosk"))

    def call(self, event: str, data: Any = None, timeout: float = 10) -> Any:
        """Emit and wait for the server's acknowledgement; return what it answered."""
        return self.loop.run(self.client.call(event, data, namespace="/kiosk", timeout=timeout), timeout + 5)

    def close(self) -> None:
        async def goodbye() -> None:
            await self.client.shutdown()  # stops reconnecting too
            http = getattr(self.client.eio, "http", None)
            if http is not None and not http.closed:
                await http.close()

        try:
            self.loop.run(goodbye(), timeout=10)
        except Exception:  # noqa: S110 - a server already gone has nothing to say goodbye to
            pass

    def received(self, name: str, where: Callable[[Any], bool] = lambda _: True) -> list[tuple[float, Any]]:
        return [(at, data) for at, event, data in list(self.events) if event == name and where(data)]

    def wait_for(self, name: str, where: Callable[[Any], bool] = lambda _: True, timeout: float = 15) -> tuple[float, Any]:
        """Wait for the first `name` event matching `where`; return (arrival time, data)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.received(name, where)
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"{self.url}: no {name!r} event within {timeout} s; got {[e for _, e, _ in self.events]}")


@pytest.fixture
def screens():
    """Make connected simulated screens with `screens(url, token)`; all are closed after the test."""
    loop = EventLoop()
    made: list[Screen] = []

    def make(url: str, token: str, **options) -> Screen:
        screen = Screen(loop, url, token, **options).connect()
        made.append(screen)
        return screen

    try:
        yield make
    finally:
        for screen in made:
            screen.close()
        loop.close()
        # A client whose server was killed under it leaves sockets for the collector; collect them
        # here, so their ResourceWarning (test harness, not the server) never lands on a later test.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
