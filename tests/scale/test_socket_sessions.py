"""Socket events on two processes: no connection left idle in a transaction; revocation reaches the other process."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import COMMUNE

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Left idle in a transaction: a connection whose transaction waits on nothing the database does, and stays
# so until something ends it. A background round is so for a moment between two statements of its own (the
# due-work poll between its SELECT and its COMMIT: a millisecond, longer on a loaded machine), so one look
# that catches a connection so proves nothing, and an age threshold only guesses how loaded the machine is;
# a connection idle in transaction at every look for seconds after the burst was handled is one left so.
# (A receipt waiting for its batch with a transaction open is refused by record_ack itself.)
_IDLE_IN_TRANSACTION = text(
    "SELECT pid, xact_start, query FROM pg_stat_activity WHERE datname = current_database() "
    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")
_PLAYS_STORED = text("SELECT count(*) FROM play_records")


def _wait(predicate, timeout: float = 15, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, message or "timed out"
        time.sleep(0.1)


def test_a_burst_of_socket_events_leaves_no_connection_idle_in_transaction(cluster, screens, postgres_url):
    a, b = cluster[0], cluster[1]
    made = [a.provision(f"Màn hình {i}") for i in range(16)]
    on = [screens((a, b)[i % 2].url, token, hello=True) for i, (_, token) in enumerate(made)]
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    # A screen's plays count only for what it was sent, from when it could have shown it (docs/security.md):
    # a notice published to the commune, played from now on (recent plays: never rolled up under the test).
    notice = a.publish("Lịch tiêm chủng mở rộng")
    played_from = datetime.now(UTC)

    alert = b.ok("POST", "/api/v1/alerts", "approver", {"headline": "Lũ quét", "hazard": "flash_flood", "level": 4,
                                                         "unit_codes": [COMMUNE], "expires_at": expires})
    for round_ in range(3):
        for i, screen in enumerate(on):
            screen.emit("heartbeat", {"version": round_, "current_item": f"n{i}", "uptime_s": 30 * round_})
            screen.emit("played", [{"item": f"n{notice['id']}",
                                    "started_at": (played_from + timedelta(seconds=20 * round_ + i)).isoformat(),
                                    "duration_s": 10}])
            screen.emit("alert_ack", {"id": alert["id"]})  # resent receipts, as a player does

    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            def read(query):
                rows = conn.execute(query).all()
                conn.rollback()  # pg_stat_activity is read afresh in each transaction
                return rows

            # The burst handled: every receipt and every play stored (heartbeats touch no database).
            _wait(lambda: len(b.ok("GET", f"/api/v1/alerts/{alert['id']}")["acks"]) == len(made),
                  message="a receipt was not recorded")
            _wait(lambda: read(_PLAYS_STORED)[0][0] == 3 * len(made), message="a play was not stored")
            deadline = time.monotonic() + 5
            while left := read(_IDLE_IN_TRANSACTION):
                assert time.monotonic() < deadline, f"left idle in transaction (pid, since, last statement): {left}"
                time.sleep(0.1)
    finally:
        engine.dispose()


def test_revoking_on_a_closes_the_screens_socket_on_b(cluster, screens):
    a, b = cluster[0], cluster[1]
    kiosk_id, token = a.provision()
    _, other_token = a.provision("Màn hình nhà văn hóa")
    screen = screens(b.url, token)  # a simulated screen ignores "reload": the server must close it
    other = screens(b.url, other_token)

    a.ok("POST", f"/api/v1/kiosks/{kiosk_id}/revoke")

    screen.wait_for("command", lambda data: data == {"name": "reload"}, timeout=5)
    screen.wait_for("disconnect", timeout=5)
    assert other.received("disconnect") == [], "only the revoked screen is closed"
    _wait(lambda: a.ok("GET", f"/api/v1/kiosks/{kiosk_id}")["online"] is False, timeout=5,
          message="the revoked screen still shows online")
