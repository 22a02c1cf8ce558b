"""Two server processes on one PostgreSQL and one Redis act as one server.

Every test here starts `python wsgi.py` twice (A and B) and drives them as officers and screens do.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.e2e.conftest import COMMUNE

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _alert(headline: str, **extra) -> dict:
    expires = datetime.now(UTC) + timedelta(hours=2)
    return {"headline": headline, "hazard": "flood", "level": 3, "unit_codes": [COMMUNE],
            "expires_at": expires.isoformat(), **extra}


def _acks(server, alert_id: int) -> set[int]:
    _, body = server.api("GET", f"/api/v1/alerts/{alert_id}")
    return {ack["kiosk_id"] for ack in body.get("acks", [])}


def _wait(predicate, timeout: float = 15, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, message or "timed out"
        time.sleep(0.1)


def test_notice_approved_on_a_reaches_a_screen_on_b(cluster, screens):
    a, b = cluster[0], cluster[1]
    _, token = a.provision()
    screen = screens(b.url, token)
    before = len(screen.received("manifest"))

    notice = a.publish("Lịch tiêm chủng tháng 12")

    _wait(lambda: len(screen.received("manifest")) > before, message="B's screen was never told of A's approval")
    _, version = screen.received("manifest")[-1]
    request = urllib.request.Request(f"{b.url}/kiosk/manifest", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        manifest = json.loads(response.read())
    assert notice["id"] in [item.get("notice_id", item.get("id")) for item in manifest["items"]]
    assert version["version"] == manifest["version"]


def test_alert_raised_on_b_reaches_screens_on_both_and_both_receipts_are_recorded(cluster, screens):
    a, b = cluster[0], cluster[1]
    on_a_id, on_a_token = a.provision("Màn hình chợ")
    on_b_id, on_b_token = a.provision("Màn hình nhà văn hóa")
    screen_a = screens(a.url, on_a_token)
    screen_b = screens(b.url, on_b_token)

    alert = b.ok("POST", "/api/v1/alerts", "approver", _alert("Lũ trên sông Lô"))

    for screen in (screen_a, screen_b):
        screen.wait_for("alert", lambda data: data.get("id") == alert["id"])
    _wait(lambda: _acks(b, alert["id"]) == {on_a_id, on_b_id}, message="a receipt was not recorded")


def test_alert_due_later_is_sent_although_the_process_that_raised_it_died(cluster, screens):
    a, b = cluster[0], cluster[1]
    _, token = a.provision()
    screen = screens(b.url, token)
    effective = datetime.now(UTC) + timedelta(seconds=4)

    alert = a.ok("POST", "/api/v1/alerts", "approver", _alert("Bão số 3 đổ bộ", effective_at=effective.isoformat()))
    a.kill()

    at, _ = screen.wait_for("alert", lambda data: data.get("id") == alert["id"], timeout=20)
    late = at - effective.timestamp()
    assert late >= -0.5, "the alert reached the screen before its effective time"
    assert late < 5, f"the alert reached the screen {late:.1f} s after its effective time"


def test_login_rate_limit_holds_across_processes(tmp_path, postgres_url, redis_url):
    from tests.scale.conftest import make_cluster, start_all

    group = make_cluster(tmp_path, postgres_url, redis_url, extra_env={"KIOSK_RATELIMIT_LOGIN": "3 per minute"})
    try:
        start_all(group.servers)
        codes = [_login(group[i % 2].url, "xa@example.vn", "wrong-password") for i in range(4)]
    finally:
        for server in group.servers:
            server.stop()
    assert codes == [401, 401, 401, 429], "the fourth guess is refused whichever process gets it"


def test_receipt_confirmed_to_a_screen_survives_the_process_being_killed(cluster, screens):
    a, b = cluster[0], cluster[1]
    kiosk_id, token = a.provision()
    screen = screens(a.url, token, ack_alerts=False)
    alert = b.ok("POST", "/api/v1/alerts", "approver", _alert("Sạt lở đất"))
    screen.wait_for("alert", lambda data: data.get("id") == alert["id"])

    answer = screen.call("alert_ack", {"id": alert["id"]})
    a.kill()

    assert answer == {"ok": True}, "the server confirms a receipt only once it is stored"
    _wait(lambda: _acks(b, alert["id"]) == {kiosk_id}, message="a confirmed receipt was lost with its process")


def _login(url: str, email: str, password: str) -> int:
    """Post the sign-in form with its CSRF token on a fresh cookie jar; return the status."""
    import http.cookiejar
    import re

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{url}/login", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
    try:
        with opener.open(urllib.request.Request(f"{url}/login", data=data, method="POST"), timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_expired_notice_leaves_screens_when_only_the_other_process_runs_the_sweep(cluster, screens):
    """The expiry sweep is stored work too: B retires what A published, with A gone."""
    a, b = cluster[0], cluster[1]
    _, token = a.provision()
    screen = screens(b.url, token)
    ends = (datetime.now(UTC) + timedelta(seconds=3)).replace(microsecond=0)
    notice = a.publish("Thông báo ngắn hạn", ends_at=ends.isoformat())
    a.kill()

    def status() -> str:
        with cluster.db_app():
            from kiosk_server.extensions import db
            from kiosk_server.models import Notice

            return db.session.scalar(select(Notice.status).where(Notice.id == notice["id"]))

    _wait(lambda: status() == "expired", timeout=40, message="B never retired the notice A published")
    _wait(lambda: any(at >= ends.timestamp() for at, _ in screen.received("manifest")), timeout=10,
          message="the expiry never reached B's screen")


def test_deployments_sharing_one_redis_do_not_hear_each_other(tmp_path, postgres_url, redis_url):
    """A training copy on the province's Redis (KIOSK_REDIS_NAMESPACE of its own) never moves real screens."""
    from tests.scale.conftest import EventLoop, Screen, make_cluster, start_all

    group = make_cluster(tmp_path, postgres_url, redis_url)
    training = group.servers[1]
    training.extra_env["KIOSK_REDIS_NAMESPACE"] = "training-" + training.extra_env["KIOSK_REDIS_NAMESPACE"]
    loop = EventLoop()
    try:
        start_all(group.servers)
        _, token = group[0].provision()
        real_screen = Screen(loop, group[0].url, token).connect()
        elsewhere = Screen(loop, training.url, token).connect()

        alert = training.ok("POST", "/api/v1/alerts", "approver", _alert("Diễn tập: lũ trên sông Lô"))
        elsewhere.wait_for("alert", lambda data: data.get("id") == alert["id"])
        time.sleep(1)
        assert not real_screen.received("alert"), "the other deployment's alert reached a screen of this one"
        for screen in (real_screen, elsewhere):
            screen.close()
    finally:
        for server in group.servers:
            server.stop()
        loop.close()
