"""Issue 21 on two real processes: Redis or PostgreSQL stops for about 8 s under A, B and a screen on B.

The dependency stopped is a private one this module starts (tests/private_redis.py,
tests/private_postgres.py), never the machine's shared server; the other one is the shared test server.
Every HTTP answer is timed: none may take longer than the issue's 10 s bound.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.e2e.conftest import COMMUNE
from tests.private_postgres import PrivateCluster
from tests.private_redis import PrivateRedis
from tests.scale.conftest import Cluster, Screen, running_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BOUND = 10  # s: the bound on any answer, whatever is away
OUTAGE = 8  # s
HEARTBEAT_EVERY = 2  # s: the player sends one every 30 s; faster here so the test stays short
PRESENCE_FLUSH = 5  # s: the server's PRESENCE_FLUSH_SECONDS, when a heartbeat's catch-up is sent


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict
    seconds: float


@dataclass
class Officer:
    """HTTP calls to the cluster's processes, each timed and kept, so a test can bound them all."""

    cluster: Cluster
    answers: list[tuple[str, Answer]] = field(default_factory=list)

    def call(self, index: int, method: str, path: str, who: str = "admin", body: dict | None = None,
             headers: dict[str, str] | None = None, token: str | None = None) -> Answer:
        server = self.cluster[index]
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{server.url}{path}", data=data, method=method, headers={  # noqa: S310
            "Authorization": f"Bearer {token or server.tokens[who]}", "Content-Type": "application/json",
            **(headers or {})})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=BOUND + 20) as response:  # noqa: S310
                status, raw, got = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), dict(error.headers)
        answer = Answer(status, got, json.loads(raw) if raw.strip() else {}, time.monotonic() - started)
        self.answers.append((f"{method} {path} on {'AB'[index]}", answer))
        return answer

    def expect(self, status: int, index: int, method: str, path: str, who: str = "admin",
               body: dict | None = None) -> dict:
        answer = self.call(index, method, path, who, body)
        assert answer.status == status, f"{method} {path} on {'AB'[index]}: {answer.status} {answer.body}"
        return answer.body

    def publish(self, index: int, title: str) -> dict:
        """Create (201), submit and approve (200) a notice for the commune on process `index`."""
        notice = {"title": title, "body": "<p>Nội dung.</p>", "unit_code": COMMUNE, "priority": "normal",
                  "category": "local"}
        created = self.expect(201, index, "POST", "/api/v1/notices", "editor", notice)
        self.expect(200, index, "POST", f"/api/v1/notices/{created['id']}/submit", "editor")
        return self.expect(200, index, "POST", f"/api/v1/notices/{created['id']}/approve", "approver")

    def assert_all_within_bound(self) -> None:
        slow = [(what, round(a.seconds, 1)) for what, a in self.answers if a.seconds >= BOUND]
        assert not slow, f"answers over {BOUND} s: {slow}"


class Heartbeats:
    """The player's heartbeat on a thread: the manifest version it holds, the last one it was told of."""

    def __init__(self, screen: Screen, version: int) -> None:
        self.screen = screen
        self.initial = version
        self.running = threading.Event()
        self.running.set()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)
        self.thread.start()

    @property
    def version(self) -> int:
        told = [data["version"] for _, data in self.screen.received("manifest") if isinstance(data, dict)]
        return max([self.initial, *told])

    def _beat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_EVERY):
            if self.running.is_set():
                try:
                    self.screen.emit("heartbeat", {"version": self.version, "current_item": None, "uptime_s": 60})
                except Exception:  # noqa: S112 - a beat lost with its socket is the next beat's business
                    continue

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(10)


def _wait(predicate, timeout: float, message: str) -> float:
    """Wait for `predicate` until `timeout` s have passed; return the seconds it took."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, message
        time.sleep(0.1)
    return time.monotonic() - started


def _manifest_version(server, token: str) -> tuple[int, str]:
    request = urllib.request.Request(f"{server.url}/kiosk/manifest", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=BOUND) as response:  # noqa: S310
        return json.loads(response.read())["version"], response.headers["ETag"]


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    yield server
    server.close()


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    server = PrivateCluster()
    yield server
    server.remove()


@pytest.fixture
def redis_cluster(tmp_path, postgres_url, private_redis) -> Iterator[Cluster]:
    """A and B on the shared test PostgreSQL and a private Redis the test may stop."""
    yield from running_cluster(tmp_path, postgres_url, private_redis.url)


@pytest.fixture
def postgres_cluster(tmp_path, private_postgres, redis_url) -> Iterator[Cluster]:
    """A and B on a private PostgreSQL the test may stop (migrated and prepared by A) and the shared Redis."""
    yield from running_cluster(tmp_path, private_postgres.url, redis_url)


@pytest.fixture
def heartbeats():
    """Start the player's heartbeat on a screen with `heartbeats(screen, version)`; stopped after the test."""
    made: list[Heartbeats] = []

    def start(screen: Screen, version: int) -> Heartbeats:
        made.append(Heartbeats(screen, version))
        return made[-1]

    yield start
    for beats in made:
        beats.stop()


def _subscribers(redis_url: str, channel: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1)
    try:
        return dict(client.pubsub_numsub(channel)).get(channel.encode(), 0)
    finally:
        client.close()


def test_redis_away_a_change_made_on_a_reaches_the_screen_on_b_by_its_heartbeat_and_the_queue_recovers(
        redis_cluster, private_redis, screens, heartbeats):
    officer = Officer(redis_cluster)
    _, token = redis_cluster[0].provision()
    screen = screens(redis_cluster[1].url, token)
    version, _ = _manifest_version(redis_cluster[1], token)
    beats = heartbeats(screen, version)
    channel = f"{redis_cluster[0].extra_env['KIOSK_REDIS_NAMESPACE']}-socketio"
    # A process subscribes once a socket first connects to it: here B, whose listener must come back.
    listening = _subscribers(private_redis.url, channel)
    assert listening >= 1, "B does not listen to the message queue: nothing to test"

    private_redis.stop()
    stopped = time.monotonic()
    first = officer.publish(0, "Lúc Redis vắng")
    approved = time.time()
    stored, _ = _manifest_version(redis_cluster[1], token)
    assert stored > version, "the approval did not change the screen's manifest"
    at, _ = screen.wait_for("manifest", lambda data: data.get("version") == stored, timeout=40)
    late = at - approved
    assert "Cannot publish to redis" in redis_cluster[0].log_tail(20000), "A's message was not lost: nothing tested"
    time.sleep(max(0.0, stopped + OUTAGE - time.monotonic()))  # the rest of the outage, not an assertion
    # From here only the queue may tell the screen: no more heartbeats, and the last one's catch-up is
    # flushed (PRESENCE_FLUSH_SECONDS, 5 s) before the second approval.
    beats.running.clear()
    paused = time.monotonic()
    private_redis.start()  # empty: nothing was saved

    # The listeners subscribe again by themselves (their back-off doubles from 1 s, so ~15 s after the stop).
    resubscribed = _wait(lambda: _subscribers(private_redis.url, channel) >= listening, timeout=40,
                         message="the message queue did not subscribe again after Redis returned")
    time.sleep(max(0.0, paused + PRESENCE_FLUSH + 1 - time.monotonic()))  # usually already over
    second = officer.publish(0, "Sau khi Redis trở lại")
    approved_again = time.time()
    newest, _ = _manifest_version(redis_cluster[1], token)
    at_again, _ = screen.wait_for("manifest", lambda data: data.get("version") == newest, timeout=15)

    assert late < 40, f"the screen on B was told {late:.1f} s after the approval"
    assert at_again - approved_again < 15
    assert not screen.received("disconnect"), "the screen's socket was closed"
    listed = officer.expect(200, 1, "GET", "/api/v1/notices?status=published")
    ids = {item["id"] for item in listed}
    assert {first["id"], second["id"]} <= ids, f"a committed notice is missing: {ids}"
    officer.assert_all_within_bound()
    print(f"\nRedis away: screen on B told {late:.1f} s after the approval; queue back {resubscribed:.1f} s "
          f"after Redis; second approval reached B in {at_again - approved_again:.2f} s")


def test_postgres_away_both_processes_answer_503_and_recover_without_restart(
        postgres_cluster, private_postgres, screens):
    officer = Officer(postgres_cluster)
    _, token = postgres_cluster[0].provision()
    screen = screens(postgres_cluster[1].url, token)
    before = officer.publish(0, "Trước khi mất cơ sở dữ liệu")
    _, etag = _manifest_version(postgres_cluster[1], token)  # as the screen does when told of the change
    # The player's periodic check: B finds (and keeps in memory) the version this screen holds.
    kept = officer.call(1, "GET", "/kiosk/manifest", headers={"If-None-Match": etag}, token=token)
    assert kept.status in (200, 304), kept

    private_postgres.stop()
    stopped = time.monotonic()
    asked_before = len(officer.answers)
    for index in (0, 1):
        away = officer.call(index, "GET", "/api/v1/notices")
        assert away.status == 503, f"{'AB'[index]}: {away.status} {away.body}"
        # The database's bound, not Flask-Limiter's window (web/errors.keep_database_retry_after).
        assert away.headers.get("Retry-After") == "10", f"{'AB'[index]}: {away.headers.get('Retry-After')}"
        assert away.body["error"]["code"] == "database_unavailable"
    check = officer.call(1, "GET", "/kiosk/manifest", headers={"If-None-Match": etag}, token=token)
    assert check.status == 304, "a screen checking the version it holds keeps playing"
    time.sleep(max(0.0, stopped + OUTAGE - time.monotonic()))  # the rest of the outage, not an assertion
    private_postgres.start()
    returned = time.monotonic()

    back = {}
    for index in (0, 1):
        def answers(index=index) -> bool:
            back[index] = officer.call(index, "GET", "/api/v1/notices")
            return back[index].status == 200

        _wait(answers, timeout=BOUND - (time.monotonic() - returned),
              message=f"{'AB'[index]} did not answer 200 within {BOUND} s of PostgreSQL's return")
    recovered = time.monotonic() - returned

    since_stop = [(what, a.status) for what, a in officer.answers[asked_before:]]
    assert {status for _, status in since_stop} <= {200, 304, 503}, since_stop
    for index in (0, 1):
        ids = {item["id"] for item in back[index].body}
        assert before["id"] in ids, f"{'AB'[index]} lost the notice committed before the outage"
    assert not screen.received("disconnect"), "the screen's socket was closed"
    officer.assert_all_within_bound()
    print(f"\nPostgreSQL away: both processes answer 200 {recovered:.1f} s after its return; {since_stop}")
