"""A `played` batch counts once in every report, however often and through however many sessions it arrives."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kiosk_server.domain import play_log
from kiosk_server.domain import reports as rules
from kiosk_server.extensions import db
from kiosk_server.models import PlayDay, PlayRecord, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import notices
from kiosk_server.services.core import users
from kiosk_server.services.reports import plays, posting, reports
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, make_app
from tests.notice_helpers import notice_body

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

SESSIONS = 2


def _world() -> dict:
    """Officers, one screen and one published notice; return their ids and a batch of three plays."""
    editor = users.create_user("bientap@example.vn", "password-123", "editor", COMMUNE, actor="test")
    approver = users.create_user("duyet@example.vn", "password-123", "approver", COMMUNE, actor="test")
    notice = notices.create_notice(notice_body(), editor)
    notices.submit(notice, editor)
    notices.approve(notice, approver)
    screen = kiosks.provision_kiosk("Bộ phận một cửa", COMMUNE, [], actor="test")[0].id
    start = utcnow() - timedelta(hours=2)
    batch = [{"item": f"n{notice.id}", "started_at": (start + timedelta(minutes=m)).isoformat(), "duration_s": 30}
             for m in (0, 5, 10)]
    return {"approver": approver.id, "notice": notice.id, "screen": screen, "batch": batch}


def _send_at_once(app, screen: int, batch: list[dict]) -> list[int]:
    """Send the same batch from SESSIONS threads released together (a screen reconnecting through two processes)."""
    start = threading.Barrier(SESSIONS)
    stored: list[int] = []
    errors: list[BaseException] = []

    def send() -> None:
        with app.app_context():
            try:
                start.wait()
                stored.append(plays.record_played(screen, batch))
            except BaseException as error:  # the test reports whatever a session met
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    return stored


def _every_report(world: dict) -> tuple:
    approver = db.session.get(User, world["approver"])
    today = play_log.vn_day(utcnow())
    period = rules.make_period(today - timedelta(days=1), today)
    start, end = period.bounds()
    totals = reports.play_totals({COMMUNE}, start, end)
    summary = reports.summary(approver, COMMUNE, period)["plays"]
    record = posting.posting_record(approver, world["notice"])
    return ((totals.plays, totals.seconds), (summary["plays"], summary["seconds"]),
            (record["totals"]["plays"], record["totals"]["seconds_shown"]))


def _check(app) -> None:
    with app.app_context():
        world = _world()
        db.session.remove()
    stored = _send_at_once(app, world["screen"], world["batch"])
    with app.app_context():
        assert sorted(stored) == [0, 3], "one session stored the plays, the other found them stored"
        assert plays.record_played(world["screen"], world["batch"]) == 0  # and sent once more later
        assert db.session.scalar(select(func.count(PlayRecord.id))) == 3
        assert db.session.scalar(select(func.sum(PlayDay.plays))) == 3
        assert _every_report(world) == ((3, 90.0), (3, 90.0), (3, 90.0))
        db.session.remove()
        db.engine.dispose()


def test_a_batch_sent_twice_at_once_counts_once_in_every_report_on_sqlite(tmp_path):
    _check(make_app(tmp_path))


@pytest.mark.postgres
def test_a_batch_sent_twice_at_once_counts_once_in_every_report_on_postgresql(postgres_app):
    _check(postgres_app())


def test_overlapping_batches_store_only_the_new_plays(app):
    world = _world()
    first, second, third = world["batch"]

    assert plays.record_played(world["screen"], [first, second]) == 2
    assert plays.record_played(world["screen"], [second, third, dict(third)]) == 1

    assert _every_report(world) == ((3, 90.0), (3, 90.0), (3, 90.0))
