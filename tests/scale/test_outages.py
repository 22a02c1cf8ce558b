"""Issue 21 on two real processes: Redis or PostgreSQL stops for about 8 s under A, B and a screen on B;
the media disk they share fills up.

The dependency stopped is a private one this module starts (tests/private_redis.py,
tests/private_postgres.py), never the machine's shared server; the other one is the shared test server.
The full disk is a small tmpfs mounted for the shared media folder (tests/small_disk.py).
Every HTTP answer is timed: none may take longer than the issue's 10 s bound.
"""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests import media_factory as mf
from tests.e2e.conftest import COMMUNE
from tests.private_postgres import PrivateCluster
from tests.private_redis import PrivateRedis
from tests.scale.conftest import Cluster, Screen, running_cluster
from tests.small_disk import small_disk

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

BOUND = 10  # s: the bound on any answer, whatever is away
OUTAGE = 8  # s
HEARTBEAT_EVERY = 2  # s: the player sends one every 30 s; faster here so the test stays short
PRESENCE_FLUSH = 5  # s: the server's PRESENCE_FLUSH_SECONDS, when a heartbeat's catch-up is sent
DISK_BYTES = 2 * 1024 * 1024  # the shared media folder's disk


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
             headers: dict[str, str] | None = None, token: str | None = None, raw: bytes | None = None) -> Answer:
        server = self.cluster[index]
        data = raw if body is None else json.dumps(body).encode()
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

    def upload(self, index: int, data: bytes, name: str) -> Answer:
        """Upload a media file as the editor on process `index` (multipart, as the media page does)."""
        boundary, body = encode_multipart(MultiDict({"file": FileStorage(io.BytesIO(data), name)}))
        return self.call(index, "POST", "/api/v1/media", "editor", raw=body,
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

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


class Receipts:
    """The player's receipt of an alert on a thread: sent, and sent again until the server confirms it stored it."""

    def __init__(self, screen: Screen, alert_id: int) -> None:
        self.answers: list[tuple[float, object]] = []  # (monotonic time, the server's answer)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._send, args=(screen, alert_id), daemon=True)
        self.thread.start()

    def _send(self, screen: Screen, alert_id: int) -> None:
        deadline = time.monotonic() + 90  # past any test's wait: a closed screen must not spin for ever
        while not self.done.is_set() and time.monotonic() < deadline:
            try:
                answer = screen.call("alert_ack", {"id": alert_id}, timeout=15)  # the player's ACK_TIMEOUT_MS
            except Exception as error:  # a timeout is an unconfirmed receipt, sent again
                answer = repr(error)
                time.sleep(1)  # as the player waits before sending again
            self.answers.append((time.monotonic(), answer))
            if isinstance(answer, dict) and answer.get("ok"):
                self.done.set()

    def confirmed(self, timeout: float) -> float:
        """Return when the server confirmed the receipt (monotonic time)."""
        assert self.done.wait(timeout), f"the receipt was never confirmed: {self.answers}"
        return self.answers[-1][0]


def _wait(predicate, timeout: float, message: str) -> float:
    """Wait for `predicate` until `timeout` s have passed; return the seconds it took."""
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, message
        time.sleep(0.1)
    return time.monotonic() - started


def _alert(headline: str) -> dict:
    expires = datetime.now(UTC) + timedelta(hours=2)
    return {"headline": headline, "hazard": "flood", "level": 3, "unit_codes": [COMMUNE],
            "expires_at": expires.isoformat()}


def _acks(officer: Officer, index: int, alert_id: int) -> set[int]:
    """The screens whose receipt of the alert is stored, as process `index` tells officers."""
    answer = officer.call(index, "GET", f"/api/v1/alerts/{alert_id}")
    return {ack["kiosk_id"] for ack in answer.body.get("acks", [])} if answer.status == 200 else set()


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
def disk_cluster(tmp_path, postgres_url, redis_url) -> Iterator[Cluster]:
    """A and B sharing a media folder on a disk of DISK_BYTES (make_cluster's `tmp_path / "media"`)."""
    with small_disk(tmp_path / "media", DISK_BYTES):
        yield from running_cluster(tmp_path, postgres_url, redis_url)


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
    kiosk_id, token = redis_cluster[0].provision()
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
    alert = officer.expect(201, 0, "POST", "/api/v1/alerts", "approver", _alert("Lũ quét lúc Redis vắng"))
    raised = time.time()
    stored, _ = _manifest_version(redis_cluster[1], token)
    assert stored > version, "the approval did not change the screen's manifest"
    # A newer version tells the screen too: the alert's own bump runs in a background task on A, maybe after the read.
    at, _ = screen.wait_for("manifest", lambda data: data.get("version", 0) >= stored, timeout=40)
    late = at - approved
    # The alert reaches the screen on B by its heartbeat, and its receipt is stored (PostgreSQL is up).
    alert_at, _ = screen.wait_for("alert", lambda data: data.get("id") == alert["id"], timeout=40)
    _wait(lambda: kiosk_id in _acks(officer, 0, alert["id"]), timeout=15,
          message="the screen's receipt of the alert raised while Redis was away was not stored")
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
    at_again, _ = screen.wait_for("manifest", lambda data: data.get("version", 0) >= newest, timeout=15)

    assert late < 40, f"the screen on B was told {late:.1f} s after the approval"
    assert alert_at - raised < 40, f"the alert reached the screen on B {alert_at - raised:.1f} s after it was raised"
    assert at_again - approved_again < 15
    assert not screen.received("disconnect"), "the screen's socket was closed"
    listed = officer.expect(200, 1, "GET", "/api/v1/notices?status=published")
    ids = {item["id"] for item in listed}
    assert {first["id"], second["id"]} <= ids, f"a committed notice is missing: {ids}"
    officer.assert_all_within_bound()
    print(f"\nRedis away: screen on B told {late:.1f} s after the approval, {alert_at - raised:.1f} s after the "
          f"alert; queue back {resubscribed:.1f} s "
          f"after Redis; second approval reached B in {at_again - approved_again:.2f} s")


def test_postgres_away_both_processes_answer_503_and_recover_without_restart(
        postgres_cluster, private_postgres, screens, heartbeats):
    officer = Officer(postgres_cluster)
    kiosk_id, token = postgres_cluster[0].provision()
    # The screen acknowledges the alert itself, during the outage, as the player does.
    screen = screens(postgres_cluster[1].url, token, ack_alerts=False)
    before = officer.publish(0, "Trước khi mất cơ sở dữ liệu")
    alert = officer.expect(201, 0, "POST", "/api/v1/alerts", "approver", _alert("Lũ trước khi mất cơ sở dữ liệu"))
    screen.wait_for("alert", lambda data: data.get("id") == alert["id"])
    beats = heartbeats(screen, 0)  # during the outage too: nothing they ask of B may break its socket
    _, etag = _manifest_version(postgres_cluster[1], token)  # as the screen does when told of the change
    # The player's periodic check: B finds (and keeps in memory) the version this screen holds.
    kept = officer.call(1, "GET", "/kiosk/manifest", headers={"If-None-Match": etag}, token=token)
    assert kept.status in (200, 304), kept

    private_postgres.stop()
    stopped = time.monotonic()
    receipts = Receipts(screen, alert["id"])
    logged_before = len(postgres_cluster[1].log_tail(10**9))
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
    confirmed = receipts.confirmed(timeout=40)
    assert confirmed > returned, "a receipt was confirmed to the screen while the database was away"
    assert kiosk_id in _acks(officer, 0, alert["id"]), "the confirmed receipt is not stored"
    beats.stop()
    log_since_stop = postgres_cluster[1].log_tail(10**9)[logged_before:]

    since_stop = [(what, a.status) for what, a in officer.answers[asked_before:]]
    assert {status for _, status in since_stop} <= {200, 304, 503}, since_stop
    for index in (0, 1):
        ids = {item["id"] for item in back[index].body}
        assert before["id"] in ids, f"{'AB'[index]} lost the notice committed before the outage"
    assert not screen.received("disconnect"), "the screen's socket was closed"
    officer.assert_all_within_bound()
    assert "Traceback" not in log_since_stop, f"B logged a traceback for the outage:\n{log_since_stop[-3000:]}"
    print(f"\nPostgreSQL away: both processes answer 200 {recovered:.1f} s after its return; the receipt sent "
          f"during the outage confirmed {confirmed - returned:.1f} s after it, answers {receipts.answers}; {since_stop}")


def test_media_disk_full_both_processes_answer_507_leave_nothing_and_still_take_what_fits(disk_cluster, tmp_path):
    officer = Officer(disk_cluster)
    media = tmp_path / "media"
    too_large = mf.random_bytes(2 * DISK_BYTES)  # random: tmpfs does not compress, the probe never runs
    for index in (0, 1):
        answer = officer.upload(index, too_large, "lon.mp4")
        assert answer.status == 507, f"{'AB'[index]}: {answer.status} {answer.body}"
        assert answer.body["error"]["code"] == "insufficient_storage"
        assert "đầy" in answer.body["error"]["message"]
    left = [p for p in media.rglob("*") if p.is_file()]
    assert left == [], f"half-written files left in the shared media store: {left}"
    assert officer.expect(200, 1, "GET", "/api/v1/media") == [], "a media row was written for a refused upload"
    for index in (0, 1):
        health = officer.call(index, "GET", "/healthz")
        assert health.status == 200, "a full media disk must not take a process out of the load balancer"
        assert 0 < health.body["media_free_bytes"] <= DISK_BYTES

    small = mf.png()
    stored = officer.upload(1, small, "nho.png")
    assert stored.status == 201, stored
    path = stored.body["url"].split("://", 1)[-1].split("/", 1)[-1]
    request = urllib.request.Request(f"{disk_cluster[0].url}/{path}",  # noqa: S310
                                     headers={"Authorization": f"Bearer {disk_cluster[0].tokens['editor']}"})
    with urllib.request.urlopen(request, timeout=BOUND) as response:  # noqa: S310
        assert response.read() == small, "A does not serve the file B stored on the shared disk"
    officer.assert_all_within_bound()
