"""Old plays rolled up into hourly figures: every report reads the same before and after, and verify-log still
catches a changed row, raw or rolled up."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from kiosk_server.domain import play_log
from kiosk_server.domain import reports as rules
from kiosk_server.extensions import db
from kiosk_server.models import PlayDay, PlayLogLink, PlayRecord, PlayRollup, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import notices
from kiosk_server.services.core import users
from kiosk_server.services.reports import plays, posting, reports
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE
from tests.notice_helpers import notice_body

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


def _at(days_ago: int, hour: int, minute: int = 0):
    """Return the instant `hour:minute` Viet Nam time, `days_ago` days before today."""
    day = play_log.vn_day(utcnow()) - timedelta(days=days_ago)
    return play_log.day_bounds(day)[0] + timedelta(hours=hour, minutes=minute)


def _play(item: str, at, seconds: float) -> dict:
    return {"item": item, "started_at": at.isoformat(), "duration_s": seconds}


def _history() -> dict:
    """Two screens playing a notice (edited once) and the links page over four days; all but today sealed.

    Each play is stored a minute after it started, so it belongs to the day it was played on.
    """
    editor = users.create_user("bientap@example.vn", "password-123", "editor", COMMUNE, actor="test")
    approver = users.create_user("duyet@example.vn", "password-123", "approver", COMMUNE, actor="test")
    notice = notices.create_notice(notice_body(), editor)
    notices.submit(notice, editor)
    notices.approve(notice, approver)
    hall = kiosks.provision_kiosk("Bộ phận một cửa", COMMUNE, [], actor="test")[0].id
    market = kiosks.provision_kiosk("Chợ Minh Xuân", COMMUNE, [], actor="test")[0].id
    item = f"n{notice.id}"
    plays.record_played(hall, [_play(item, _at(3, 7, m), 30) for m in (0, 20, 40)]
                        + [_play(item, _at(3, 8, 5), 12.5), _play("links", _at(3, 8, 10), 20)])
    plays.record_played(market, [_play(item, _at(3, 23, 50), 30), _play(item, _at(2, 0, 10), 30)])
    edited = notices.update_notice(notice, notice_body(title="Lịch tiếp công dân (đã sửa)"), notice.version, editor)
    notices.submit(edited, editor)
    notices.approve(edited, approver)
    plays.record_played(hall, [_play(item, _at(2, 9, m), 45.25) for m in (0, 1, 2)])
    plays.record_played(market, [_play(item, _at(1, 17, 30), 30)])
    db.session.execute(text("UPDATE play_records SET recorded_at = started_at"))
    db.session.commit()
    db.session.execute(text("UPDATE play_records SET recorded_at = recorded_at + interval '1 minute'")
                       if db.engine.dialect.name == "postgresql" else
                       text("UPDATE play_records SET recorded_at = datetime(recorded_at, '+1 minute')"))
    db.session.commit()
    plays.record_played(hall, [_play(item, utcnow() - timedelta(minutes=5), 30)])  # today: not sealed
    assert plays.seal() > 0
    return {"approver": approver.id, "notice": notice.id, "hall": hall, "market": market}


def _reports(world: dict) -> dict:
    """Return every figure a report gives from plays: totals of whole and partial spans, summary, posting record."""
    approver = db.session.get(User, world["approver"])
    today = play_log.vn_day(utcnow())
    period = rules.make_period(today - timedelta(days=6), today)
    record = posting.posting_record(approver, world["notice"])
    record.pop("generated_at")
    spans = [period.bounds(), (_at(3, 8), _at(2, 9, 1)), (_at(3, 0), utcnow()), (_at(2, 0), _at(0, 0))]
    return {
        "totals": [reports.play_totals({COMMUNE}, start, end) for start, end in spans],
        "summary": {key: value for key, value in reports.summary(approver, COMMUNE, period).items()
                    if key in ("plays", "screens")},
        "posting": record,
    }


def _rolled_up_world(app) -> dict:
    app.config["PLAY_RAW_DAYS"] = 2
    world = _history()
    world["before"] = _reports(world)
    world["rolled"] = plays.roll_up()
    return world


@pytest.fixture
def rolled(app) -> dict:
    return _rolled_up_world(app)


def test_roll_up_replaces_old_raw_plays_and_keeps_every_report_figure(rolled):
    # PLAY_RAW_DAYS = 2 keeps today and the two days before raw: only the two screens' days 3 days ago roll up.
    links = db.session.scalars(select(PlayLogLink).order_by(PlayLogLink.day, PlayLogLink.kiosk_id)).all()
    old = play_log.vn_day(utcnow()) - timedelta(days=3)
    assert rolled["rolled"] == 2
    assert [(link.day, link.rolled_up_at is not None) for link in links if link.day == old] == [(old, True)] * 2
    assert all(link.rolled_up_at is None for link in links if link.day > old)
    end = play_log.day_bounds(old)[1]
    assert db.session.scalar(select(func.count(PlayRecord.id)).where(PlayRecord.recorded_at < end)) == 0
    hall_rollups = db.session.scalars(select(PlayRollup).where(PlayRollup.kiosk_id == rolled["hall"])
                                      .order_by(PlayRollup.hour, PlayRollup.item)).all()
    assert [(r.item.startswith("n"), r.plays, r.seconds) for r in hall_rollups] == [(True, 3, 90.0), (False, 1, 20.0),
                                                                                     (True, 1, 12.5)]

    assert _reports(rolled) == rolled["before"]
    assert rolled["before"]["posting"]["totals"]["plays"] == 11
    assert [v["plays"] for v in rolled["before"]["posting"]["versions"]] == [6, 5]


def test_roll_up_is_done_once(rolled):
    assert plays.roll_up() == 0
    assert _reports(rolled) == rolled["before"]


def test_verify_log_reports_rolled_up_days_with_their_digest_kept(rolled, runner):
    result = runner.invoke(args=["kiosk", "verify-log"])

    assert result.exit_code == 0, result.output
    assert "trong đó 2 ngày đã gộp theo giờ (digest giữ lại" in result.output


@pytest.mark.parametrize(("tamper", "problem"), [
    ("UPDATE play_rollups SET seconds = seconds + 60 WHERE id = (SELECT min(id) FROM play_rollups)",
     "một dòng gộp đã bị sửa"),
    ("UPDATE play_rollups SET plays = plays + 1 WHERE id = (SELECT min(id) FROM play_rollups)",
     "số lượt phát trong các dòng gộp"),
    ("DELETE FROM play_rollups WHERE id = (SELECT min(id) FROM play_rollups)", "số lượt phát trong các dòng gộp"),
])
def test_verify_log_catches_a_changed_roll_up_row(rolled, runner, tamper, problem):
    kiosk_id, day = db.session.execute(select(PlayRollup.kiosk_id, PlayRollup.day).order_by(PlayRollup.id)).first()
    db.session.execute(text(tamper))
    db.session.commit()

    result = runner.invoke(args=["kiosk", "verify-log"])

    assert result.exit_code == 1
    assert f"màn hình {kiosk_id}, ngày {day.isoformat()}" in result.output
    assert problem in result.output


@pytest.mark.parametrize(("tamper", "problem"), [
    # A sealed day still raw: its plays hash no longer matches the seal.
    ("UPDATE play_records SET duration_s = 3600 WHERE id = (SELECT min(id) FROM play_records)", "hash lượt phát"),
    # Today's plays are not sealed yet, but the screen's daily figures were kept as they were stored.
    ("UPDATE play_records SET duration_s = 3600 WHERE id = (SELECT max(id) FROM play_records)", "số liệu ngày"),
    ("UPDATE play_days SET plays = plays + 1 WHERE day = (SELECT min(day) FROM play_days)", "số liệu ngày"),
])
def test_verify_log_catches_a_changed_play_row_beside_rolled_up_days(rolled, runner, tamper, problem):
    db.session.execute(text(tamper))
    db.session.commit()

    result = runner.invoke(args=["kiosk", "verify-log"])

    assert result.exit_code == 1
    assert problem in result.output


def test_a_day_that_no_longer_matches_its_seal_is_not_rolled_up(app, runner):
    app.config["PLAY_RAW_DAYS"] = 2
    world = _history()
    old_end = play_log.day_bounds(play_log.vn_day(utcnow()) - timedelta(days=3))[1]
    changed = db.session.scalar(select(func.min(PlayRecord.id)).where(PlayRecord.kiosk_id == world["hall"],
                                                                       PlayRecord.recorded_at < old_end))
    db.session.execute(text("UPDATE play_records SET duration_s = 1 WHERE id = :id"), {"id": changed})
    db.session.commit()

    assert plays.roll_up() == 1  # the market's day only
    assert db.session.get(PlayRecord, changed) is not None, "the evidence stays as it is for verify-log to name"
    result = runner.invoke(args=["kiosk", "verify-log"])
    assert result.exit_code == 1 and f"màn hình {world['hall']}" in result.output


@pytest.mark.postgres
def test_two_processes_rolling_up_at_once_roll_each_day_up_once(postgres_app):
    app = postgres_app(PLAY_RAW_DAYS=2)
    with app.app_context():
        world = _history()
        before = _reports(world)
        db.session.remove()
    start = threading.Barrier(2)
    done: list[int] = []
    errors: list[BaseException] = []

    def roll() -> None:
        with app.app_context():
            try:
                start.wait()
                done.append(plays.roll_up())
            except BaseException as error:  # the test reports whatever a process met
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=roll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        assert errors == [] and sum(done) == 2
        assert _reports(world) == before
        result = plays.verify()
        assert result.bad is None and result.rolled_up == 2


def _rollups_of(kiosk_id: int, day) -> list[play_log.Rollup]:
    rows = db.session.scalars(select(PlayRollup).where(PlayRollup.kiosk_id == kiosk_id, PlayRollup.day == day))
    return [play_log.Rollup(r.hour, r.item, r.notice_id, r.notice_version, r.content_hash, r.plays, r.seconds,
                            r.first_started, r.last_started, r.rows_hash) for r in rows]


def _recompute_consistently(rollup: PlayRollup, seconds: float = 0.0, hours: int = 0) -> PlayLogLink:
    """Change a roll-up as someone with database access would: its digest on the link and the daily figures follow."""
    old_day, new_hour = play_log.vn_day(rollup.hour), rollup.hour + timedelta(hours=hours)
    db.session.execute(update(PlayRollup).where(PlayRollup.id == rollup.id)
                       .values(seconds=rollup.seconds + seconds, hour=new_hour))
    db.session.execute(update(PlayDay).where(PlayDay.kiosk_id == rollup.kiosk_id, PlayDay.day == old_day)
                       .values(plays=PlayDay.plays - rollup.plays, seconds=PlayDay.seconds - rollup.seconds))
    new_day = play_log.vn_day(new_hour)
    if db.session.get(PlayDay, (rollup.kiosk_id, new_day)) is None:
        db.session.add(PlayDay(kiosk_id=rollup.kiosk_id, day=new_day, plays=0, seconds=0.0))
        db.session.flush()
    db.session.execute(update(PlayDay).where(PlayDay.kiosk_id == rollup.kiosk_id, PlayDay.day == new_day)
                       .values(plays=PlayDay.plays + rollup.plays, seconds=PlayDay.seconds + rollup.seconds + seconds))
    link = db.session.scalar(select(PlayLogLink).where(PlayLogLink.kiosk_id == rollup.kiosk_id,
                                                       PlayLogLink.day == rollup.day))
    link.rollup_hash = play_log.rollups_hash(_rollups_of(rollup.kiosk_id, rollup.day))
    db.session.commit()
    return link


@pytest.mark.parametrize("change", [{"seconds": 600.0}, {"hours": -24}], ids=["longer", "another_day"])
def test_verify_log_catches_a_roll_up_changed_with_its_digest_and_daily_figures_recomputed(rolled, runner, change):
    rollup = db.session.scalar(select(PlayRollup).where(PlayRollup.kiosk_id == rolled["hall"]).order_by(PlayRollup.id))
    day = rollup.day
    _recompute_consistently(rollup, **change)

    result = runner.invoke(args=["kiosk", "verify-log"])

    assert result.exit_code == 1
    # The link sealed the roll-ups' digest and daily figures: rows recomputed to match each other still differ from it.
    assert (f"màn hình {rolled['hall']}, ngày {day.isoformat()}: số liệu ngày đã niêm phong trong mắt xích khác số "
            f"tính lại từ các dòng") in result.output


def test_verify_log_catches_a_chain_rewritten_consistently_after_its_last_check(rolled, runner):
    assert runner.invoke(args=["kiosk", "verify-log"]).exit_code == 0  # the checkpoint: each chain's newest link
    rollup = db.session.scalar(select(PlayRollup).where(PlayRollup.kiosk_id == rolled["hall"]).order_by(PlayRollup.id))
    _recompute_consistently(rollup, seconds=600.0)
    prev = play_log.GENESIS
    links = db.session.scalars(select(PlayLogLink).where(PlayLogLink.kiosk_id == rolled["hall"])
                               .order_by(PlayLogLink.day)).all()
    for link in links:  # every link rehashed, as whoever knows the formula can
        figures = json.loads(link.figures)
        if link.day == rollup.day:
            figures[0][2] += 600.0
            link.figures = play_log.canonical_json(figures).decode()
        link.prev_hash = prev
        link.hash = play_log.link_hash(link.kiosk_id, link.day, link.plays, link.plays_hash, prev,
                                       rollup_hash=link.rollup_hash, figures=figures)
        prev = link.hash
    db.session.commit()

    for args in (["kiosk", "verify-log"], ["kiosk", "verify-log", "--full"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert f"màn hình {rolled['hall']}, ngày {links[-1].day.isoformat()}" in result.output
        assert "chuỗi đã bị viết lại" in result.output


def test_verify_log_rereads_rows_after_its_last_check_and_all_with_full(rolled, runner):
    first = runner.invoke(args=["kiosk", "verify-log"])
    again = runner.invoke(args=["kiosk", "verify-log"])
    full = runner.invoke(args=["kiosk", "verify-log", "--full"])

    assert "đọc lại các dòng của 5 mắt xích" in first.output  # hall: 3 days sealed, market: 2
    assert "đọc lại các dòng của 0 mắt xích" in again.output
    assert "đọc lại các dòng của 5 mắt xích" in full.output
    db.session.execute(text("UPDATE play_days SET plays = plays + 1 WHERE day = (SELECT min(day) FROM play_days)"))
    db.session.commit()
    result = runner.invoke(args=["kiosk", "verify-log"])
    assert result.exit_code == 1 and "số liệu ngày" in result.output, "daily figures are checked on every run"
