"""Proof of play: what was shown stays what the record says, and any change to the sealed log is named."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select, text, update

from kiosk_server.domain import play_log
from kiosk_server.extensions import db
from kiosk_server.models import DueJob, Media, NoticeRevision, PlayLogLink, PlayRecord
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import notices
from kiosk_server.services.core import due
from kiosk_server.services.reports import plays
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE
from tests.notice_helpers import notice_body

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


def _media(sha: str) -> Media:
    media = Media(unit_code=COMMUNE, sha256=sha, kind="image", mime="image/png", size_bytes=1)
    db.session.add(media)
    db.session.commit()
    return media


def _published(officers, **changes):
    notice = notices.create_notice(notice_body(**changes), officers["editor"])
    notices.submit(notice, officers["editor"])
    notices.approve(notice, officers["approver"])
    return notice


def _screen(officers, name: str = "Bộ phận một cửa") -> int:
    return kiosks.provision_kiosk(name, COMMUNE, [], actor=officers["commune_admin"])[0].id


def _play(item: str, minutes_ago: int, seconds: float = 30) -> dict:
    return {"item": item, "started_at": (utcnow() - timedelta(minutes=minutes_ago)).isoformat(),
            "duration_s": seconds}


def _expected_hash(notice_id: int, version: int, media_sha: list[str]) -> str:
    content = db.session.scalar(select(NoticeRevision.content).where(
        NoticeRevision.notice_id == notice_id, NoticeRevision.version == version))
    return play_log.content_hash(content["title"], content["body"], media_sha)


def test_a_play_keeps_the_version_and_content_it_showed_after_the_notice_is_edited(officers):
    image = _media("ab" * 32)
    notice = _published(officers, media_ids=[image.id])
    screen = _screen(officers)
    assert plays.record_played(screen, [_play(f"n{notice.id}", 10)]) == 1

    edited = notices.update_notice(notice, notice_body(title="Lịch tiếp công dân (đã sửa)", media_ids=[]), notice.version,
                                   officers["editor"])
    notices.submit(edited, officers["editor"])
    notices.approve(edited, officers["approver"])
    assert plays.record_played(screen, [_play(f"n{notice.id}", 5)]) == 1

    first, second = db.session.scalars(select(PlayRecord).order_by(PlayRecord.id)).all()
    assert (first.notice_version, first.content_hash) == (1, _expected_hash(notice.id, 1, ["ab" * 32]))
    assert (second.notice_version, second.content_hash) == (2, _expected_hash(notice.id, 2, []))
    assert first.content_hash != second.content_hash


def test_a_replayed_batch_is_stored_once(officers):
    screen = _screen(officers)
    repeated = _play("n1", 3)
    batch = [repeated, _play("links", 2), dict(repeated)]

    assert plays.record_played(screen, batch) == 2
    assert plays.record_played(screen, batch) == 0
    assert db.session.scalar(select(func.count(PlayRecord.id))) == 2


def _sealed_log(officers) -> tuple[int, int]:
    """Store plays on two past days for two screens, seal them; return (screen, id of one play of day 2)."""
    notice = _published(officers)
    hall, market = _screen(officers), _screen(officers, "Chợ")
    for screen in (hall, market):
        plays.record_played(screen, [_play(f"n{notice.id}", 60), _play("links", 50)])
        # As if stored two days ago: the first sealed day of each chain.
        db.session.execute(update(PlayRecord).where(PlayRecord.kiosk_id == screen)
                           .values(recorded_at=utcnow() - timedelta(days=2)))
        db.session.commit()
        plays.record_played(screen, [_play(f"n{notice.id}", 40, 45), _play(f"n{notice.id}", 30, 15)])
    played = db.session.scalar(select(func.max(PlayRecord.id)).where(PlayRecord.kiosk_id == hall))
    assert plays.seal(now=utcnow() + timedelta(days=1)) == 4
    return hall, played


def test_sealing_makes_one_chained_link_per_screen_per_day_and_is_idempotent(officers):
    hall, _ = _sealed_log(officers)

    links = db.session.scalars(select(PlayLogLink).where(PlayLogLink.kiosk_id == hall)
                               .order_by(PlayLogLink.day)).all()
    assert [link.plays for link in links] == [2, 2]
    assert links[0].prev_hash == play_log.GENESIS and links[1].prev_hash == links[0].hash
    assert links[1].seconds == 60
    assert plays.seal(now=utcnow() + timedelta(days=1)) == 0, "a sealed day is never sealed again"


def test_a_day_that_is_not_over_cannot_be_sealed(app):
    with pytest.raises(ValueError):
        plays.seal(through=play_log.vn_day(utcnow()))


def test_verify_log_passes_on_an_intact_chain(officers, runner):
    _sealed_log(officers)

    result = runner.invoke(args=["kiosk", "verify-log"])

    assert result.exit_code == 0, result.output
    assert "4 mắt xích" in result.output


@pytest.mark.parametrize(("tamper", "problem"), [
    ("UPDATE play_records SET duration_s = 3600 WHERE id = :id", "hash lượt phát"),
    ("DELETE FROM play_records WHERE id = :id", "số lượt phát 1 khác số đã niêm phong 2"),
])
def test_verify_log_names_the_link_whose_plays_were_changed(officers, runner, tamper, problem):
    hall, played = _sealed_log(officers)
    day = play_log.vn_day(db.session.get(PlayRecord, played).recorded_at)
    db.session.execute(text(tamper), {"id": played})
    db.session.commit()

    result = runner.invoke(args=["kiosk", "verify-log"])

    assert result.exit_code == 1
    assert f"màn hình {hall}, ngày {day.isoformat()}" in result.output
    assert problem in result.output


def test_verify_log_names_a_removed_link(officers, runner):
    hall, _ = _sealed_log(officers)
    first = db.session.scalar(select(PlayLogLink).where(PlayLogLink.kiosk_id == hall).order_by(PlayLogLink.day))
    db.session.execute(text("DELETE FROM play_log_links WHERE id = :id"), {"id": first.id})
    db.session.commit()

    result = runner.invoke(args=["kiosk", "verify-log"])

    assert result.exit_code == 1
    assert f"màn hình {hall}" in result.output and "prev_hash" in result.output


def test_the_daily_jobs_seal_yesterday_and_schedule_themselves_once(officers):
    _screen_id = _screen(officers)
    plays.record_played(_screen_id, [_play("links", 5)])
    plays.ensure_daily_jobs_scheduled()
    plays.ensure_daily_jobs_scheduled()
    assert len(due.pending(plays.SEAL_JOB)) == 1
    assert len(due.pending(plays.ROLLUP_JOB)) == 1

    tomorrow = utcnow() + timedelta(days=1)
    db.session.execute(update(DueJob).values(due_at=tomorrow - timedelta(minutes=1)))
    db.session.commit()
    # The job seals the days over by the time it runs: run it as if a day had passed.
    original = plays.utcnow
    try:
        plays.utcnow = lambda: tomorrow
        assert due.run_due(now=tomorrow) == 2  # the seal, and the roll-up (nothing old enough yet)
    finally:
        plays.utcnow = original

    assert db.session.scalar(select(func.count(PlayLogLink.id))) == 1
    [job] = due.pending(plays.SEAL_JOB)
    assert job.due_at == play_log.next_seal_time(tomorrow)
    [job] = due.pending(plays.ROLLUP_JOB)
    assert job.due_at == play_log.next_seal_time(tomorrow, time(0, 40))
