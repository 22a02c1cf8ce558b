"""Stored due work: done once whichever process claims it, retried when it fails, never lost."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

import pytest

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert, AlertAck, DueJob
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts, receipts
from kiosk_server.services.core import due
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, make_app

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

done: list[dict] = []


@due.handler("test.record")
def _record(payload: dict) -> None:
    done.append(payload)


@due.handler("test.fail")
def _fail(payload: dict) -> None:
    raise RuntimeError("the upstream is away")


@pytest.fixture(autouse=True)
def _clear():
    done.clear()


def test_a_job_runs_when_due_and_once(app):
    due.schedule("test.record", {"n": 1}, utcnow() + timedelta(minutes=5))
    db.session.commit()

    assert due.run_due() == 0, "not due yet"
    assert due.run_due(now=utcnow() + timedelta(minutes=6)) == 1
    assert due.run_due(now=utcnow() + timedelta(minutes=7)) == 0
    assert done == [{"n": 1}]
    assert due.pending() == []


def test_a_second_process_cannot_claim_what_the_first_holds(app, tmp_path):
    # Two apps on one database file are two processes as far as the database can tell.
    other = make_app(tmp_path / "other", DATABASE_URL=app.config["DATABASE_URL"])
    due.schedule("test.record", {"n": 2})
    db.session.commit()
    job_id = due.pending()[0].id

    assert due._claim(job_id, utcnow()) is True
    with other.app_context():
        assert due.run_due() == 0, "the claim is held: the other process leaves the job alone"
        db.session.remove()
    assert done == []


def test_a_job_whose_process_died_is_run_after_its_lease_lapses(app):
    due.schedule("test.record", {"n": 3})
    db.session.commit()
    job_id = due.pending()[0].id
    assert due._claim(job_id, utcnow())  # claimed by a process that then died before doing it

    assert due.run_due() == 0
    assert due.run_due(now=utcnow() + due.LEASE + timedelta(seconds=1)) == 1
    assert done == [{"n": 3}]


def test_a_failing_job_is_kept_with_its_error_and_retried_later(app):
    due.schedule("test.fail", {})
    db.session.commit()

    assert due.run_due() == 0
    [job] = due.pending()
    assert job.attempts == 1
    assert "the upstream is away" in job.last_error
    assert job.due_at > utcnow(), "retried later, not in a tight loop"
    assert job.claimed_until is None


def alert_body(**changes) -> dict:
    body = {"headline": "Cảnh báo lũ quét", "hazard": "flash_flood", "level": 4, "unit_codes": [COMMUNE],
            "expires_at": (utcnow() + timedelta(hours=3)).isoformat()}
    return {**body, **changes}


def screen(app):
    kiosk, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    client = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    client.get_received("/kiosk")
    return kiosk, client


def events(client) -> list[str]:
    return [e["name"] for e in client.get_received("/kiosk")]


def test_an_alert_taking_effect_later_is_stored_work_sent_when_due(app, officers):
    _, near = screen(app)
    later = (utcnow() + timedelta(seconds=2)).replace(microsecond=0) + timedelta(seconds=1)
    alert = alerts.raise_alert(alert_body(effective_at=later.isoformat()), officers["approver"])

    [job] = due.pending(alerts.SEND_JOB)
    assert (job.payload, job.due_at) == ({"id": alert.id}, later)
    assert due.run_due() == 0, "not due yet"
    assert "alert" not in events(near)
    time.sleep(max(0.0, (later - utcnow()).total_seconds()) + 0.1)
    assert due.run_due() == 1
    assert events(near)[0] == "alert"
    assert due.pending(alerts.SEND_JOB) == []


def test_a_cancelled_alert_due_later_never_goes_out(app, officers):
    _, near = screen(app)
    alert = alerts.raise_alert(alert_body(effective_at=(utcnow() + timedelta(minutes=30)).isoformat()),
                               officers["approver"])
    alerts.cancel(alert, officers["approver"])
    near.get_received("/kiosk")

    due.run_due(now=utcnow() + timedelta(hours=1))

    assert "alert" not in events(near)


def test_a_receipt_whose_write_failed_stays_queued_and_is_stored_next_time(app, officers):
    kiosk, _ = kiosks.provision_kiosk("Màn hình", COMMUNE, [], actor=officers["commune_admin"])
    alert = alerts.raise_alert(alert_body(), officers["approver"])
    kiosk_id, alert_id = kiosk.id, alert.id
    db.session.commit()
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    app.config["ACK_BATCH_SECONDS"] = 0

    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # another writer holds the database: the batch cannot commit
    db.session.execute(db.text("PRAGMA busy_timeout = 100"))
    try:
        assert receipts.record_ack(alert_id, kiosk_id, COMMUNE) is False, "not confirmed while unstored"
    finally:
        blocker.rollback()
        blocker.close()
    db.session.rollback()

    assert receipts.flush() == 1, "the queued receipt is written by the next batch"
    assert db.session.scalar(db.select(db.func.count()).select_from(AlertAck).where(
        AlertAck.alert_id == alert_id, AlertAck.kiosk_id == kiosk_id)) == 1
    assert receipts.record_ack(alert_id, kiosk_id, COMMUNE) is True, "a resent receipt is confirmed, counted once"
    assert db.session.scalar(db.select(db.func.count()).select_from(AlertAck)) == 1
    assert db.session.get(Alert, alert_id) is not None
    assert db.session.scalar(db.select(db.func.count()).select_from(DueJob)) == 0
