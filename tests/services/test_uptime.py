"""The uptime record: written in batches (never a row per heartbeat), closed when a process dies, read per period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from kiosk_server.domain import reports as report_rules
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, KioskSession
from kiosk_server.models.base import utcnow
from kiosk_server.services.screens import kiosks, uptime
from tests.conftest import COMMUNE

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


@pytest.fixture
def clean(app, monkeypatch):
    monkeypatch.setattr(uptime, "_heard", {})


def _rows(kiosk_id: int) -> list[KioskSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(KioskSession).where(KioskSession.kiosk_id == kiosk_id)
                                   .order_by(KioskSession.started_at)))


def test_a_fleets_heartbeats_cost_a_few_statements_per_flush(app, clean):
    fleet = [kiosks.provision_kiosk(f"Màn hình {i}", COMMUNE, actor="test")[0].id for i in range(20)]
    since = utcnow() - timedelta(minutes=5)
    for kiosk_id in fleet:
        uptime.heard(kiosk_id, since, since)
    uptime.flush()
    writes: list[str] = []
    listener = lambda conn, cursor, statement, *args: writes.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for beat in range(1, 4):  # three rounds of heartbeats from every screen, then one flush
            for kiosk_id in fleet:
                uptime.heard(kiosk_id, since, since + timedelta(seconds=30 * beat))
        uptime.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in writes if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]) == 1, writes
    assert all(_rows(k)[0].last_heard_at == since + timedelta(seconds=90) for k in fleet)


def test_a_stretch_left_open_by_a_dead_process_is_closed_a_window_after_its_last_word(app, clean):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    heard_at = utcnow() - timedelta(hours=2)
    uptime.heard(kiosk.id, heard_at, heard_at)
    uptime.flush()  # ... and then the process died: nobody noticed the disconnect

    assert uptime.close_silent() == 1
    [row] = _rows(kiosk.id)
    assert row.ended_at == heard_at + uptime.WINDOW
    assert uptime.close_silent() == 0


def test_a_screen_back_after_a_long_silence_gets_a_new_stretch_and_an_outage(app, clean):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    now = utcnow()
    old = now - timedelta(hours=3)
    uptime.heard(kiosk.id, old, old + timedelta(minutes=30))
    uptime.flush()
    uptime.heard(kiosk.id, now - timedelta(minutes=10), now)  # another process, after the first one died
    uptime.flush()

    first, second = _rows(kiosk.id)
    assert first.ended_at == old + timedelta(minutes=30) + uptime.WINDOW and second.ended_at is None
    period = report_rules.Period(date(2000, 1, 1), report_rules.local_today(now + timedelta(days=1)))
    [report] = uptime.uptime_report([db.session.get(Kiosk, kiosk.id)], period, now)
    [outage] = report["outages"]
    assert outage["start"] == (old + timedelta(minutes=30) + uptime.WINDOW).isoformat()
    assert outage["end"] == (now - timedelta(minutes=10)).isoformat()


def test_a_failed_write_keeps_what_was_heard_for_the_next_round(app, clean, monkeypatch):
    kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    since = utcnow()
    uptime.heard(kiosk.id, since, since)

    def broken(chunk, batch):
        raise RuntimeError("database away")

    real = uptime._write
    monkeypatch.setattr(uptime, "_write", broken)
    with pytest.raises(RuntimeError):
        uptime.flush()
    monkeypatch.setattr(uptime, "_write", real)
    uptime.flush()
    assert [r.started_at for r in _rows(kiosk.id)] == [since]


@pytest.mark.postgres
def test_two_processes_opening_a_screens_stretch_at_once_keep_one_on_postgresql(postgres_app):
    with postgres_app().app_context():
        kiosk, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
        since = utcnow()
        # What two processes planned from the same read (no open stretch), written one after the other.
        for offset in (0, 1):
            plan = uptime.rules.plan_writes(None, _heard_once(since + timedelta(seconds=offset)), uptime.WINDOW)
            uptime.insert_ignoring_duplicates(KioskSession, [
                {"kiosk_id": kiosk.id, "started_at": n.started_at, "last_heard_at": n.last_heard_at,
                 "ended_at": n.ended_at} for n in plan.insert])
            db.session.commit()
        assert [r.started_at for r in _rows(kiosk.id)] == [since]


def _heard_once(at):
    heard = uptime.Heard()
    heard.heard(at, at)
    return heard


def _mixed_fleet(now):
    """Screens with every shape of record: gaps, overlaps from two processes, open and stale stretches."""
    made = []
    shapes = [
        [(-40, -30), (-29, -20), (-20, -10)],  # days ago: a one-day gap, then back to back
        [(-200, -100), (-150, -5)],  # two processes' stretches overlapping
        [(-3, None)],  # online now
        [(-10, -9), (-8, "stale")],  # left open by a dead process a while ago
        [],  # never connected
    ]
    for index, shape in enumerate(shapes):
        kiosk, _ = kiosks.provision_kiosk(f"Màn hình {index}", COMMUNE, actor="test")
        for begin, end in shape:
            started = now + timedelta(days=begin)
            if end is None:
                db.session.add(KioskSession(kiosk_id=kiosk.id, started_at=started, last_heard_at=now, ended_at=None))
            elif end == "stale":
                db.session.add(KioskSession(kiosk_id=kiosk.id, started_at=started,
                                            last_heard_at=started + timedelta(hours=5), ended_at=None))
            else:
                db.session.add(KioskSession(kiosk_id=kiosk.id, started_at=started,
                                            last_heard_at=now + timedelta(days=end), ended_at=now + timedelta(days=end)))
        made.append(kiosk)
    db.session.commit()
    return made


def _check_sums_agree(now):
    made = _mixed_fleet(now)
    # Viet Nam days, as the product counts them (from 00:00 to 07:00 there the UTC date is yesterday's).
    period = report_rules.Period(report_rules.local_today(now - timedelta(days=60)), report_rules.local_today(now))
    figures, online = uptime.unit_totals({COMMUNE}, period, now)
    each = [r for r in uptime.uptime_report(made, period, now, with_days=False) if r["watched_seconds"] > 0]
    assert figures["screens"] == len(each) == 4
    assert figures["outages"] == sum(len(r["outages"]) for r in each)
    assert figures["online_hours"] == report_rules.hours(sum(r["online_seconds"] for r in each))
    assert figures["share"] == pytest.approx(sum(r["online_seconds"] for r in each)
                                             / sum(r["watched_seconds"] for r in each), abs=1e-4)
    assert online == {r["kiosk_id"] for r in each if r["online_seconds"] > 0}


def test_the_summary_sums_in_the_database_what_the_per_screen_report_adds_up(app):
    _check_sums_agree(utcnow())


@pytest.mark.postgres
def test_the_summary_sums_agree_on_postgresql(postgres_app):
    with postgres_app().app_context():
        _check_sums_agree(utcnow())
