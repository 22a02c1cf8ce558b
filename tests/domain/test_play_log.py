"""The hashes of the play log: fixed by their inputs alone, so anyone can recompute them."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest

from kiosk_server.domain import play_log

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


def test_content_hash_is_sha256_of_canonical_json_of_title_body_and_media():
    expected = hashlib.sha256(
        '{"body":"<p>Thứ Năm</p>","media":["aa","bb"],"title":"Lịch tiếp dân"}'.encode()).hexdigest()

    assert play_log.content_hash("Lịch tiếp dân", "<p>Thứ Năm</p>", ["aa", "bb"]) == expected
    assert play_log.content_hash("Lịch tiếp dân", "<p>Thứ Năm</p>", ["bb", "aa"]) != expected, "media order counts"


def _play(id_: int, duration: float) -> play_log.Play:
    at = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
    return play_log.Play(id_, "n1", 1, 2, "c" * 64, at, duration, at)


def test_plays_hash_ignores_the_order_rows_come_in_but_not_a_changed_duration():
    plays = [_play(1, 30), _play(2, 45)]

    assert play_log.plays_hash(plays) == play_log.plays_hash(list(reversed(plays)))
    assert play_log.plays_hash(plays) != play_log.plays_hash([_play(1, 30), _play(2, 46)])


def test_link_hash_depends_on_the_previous_link():
    first = play_log.link_hash(7, date(2026, 3, 1), 2, "a" * 64, play_log.GENESIS)

    assert play_log.link_hash(7, date(2026, 3, 1), 2, "a" * 64, first) != first


def test_viet_nam_days_and_the_nightly_seal_time():
    assert play_log.vn_day(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert play_log.day_bounds(date(2026, 3, 2)) == (datetime(2026, 3, 1, 17, 0, tzinfo=UTC),
                                                     datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    assert play_log.next_seal_time(datetime(2026, 3, 1, 17, 5, tzinfo=UTC)) == datetime(2026, 3, 1, 17, 10, tzinfo=UTC)
    assert play_log.next_seal_time(datetime(2026, 3, 1, 17, 10, tzinfo=UTC)) == datetime(2026, 3, 2, 17, 10, tzinfo=UTC)


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 1, hour, minute, tzinfo=UTC)


def test_roll_up_adds_plays_per_hour_item_and_version_and_keeps_the_digest_of_the_rows():
    plays = [
        play_log.Play(1, "n1", 1, 1, "a" * 64, _at(5, 0), 30, _at(5, 1)),
        play_log.Play(2, "n1", 1, 1, "a" * 64, _at(5, 40), 15.5, _at(5, 41)),
        play_log.Play(3, "n1", 1, 2, "b" * 64, _at(5, 50), 30, _at(5, 51)),  # the notice was edited
        play_log.Play(4, "n1", 1, 2, "b" * 64, _at(6, 5), 30, _at(6, 6)),  # the next hour
        play_log.Play(5, "links", None, None, None, _at(5, 10), 20, _at(5, 11)),
    ]

    rollups = play_log.roll_up(reversed(plays))

    figures = {(r.hour.hour, r.item, r.notice_version): (r.plays, r.seconds, r.first_started, r.last_started)
               for r in rollups}
    assert figures == {
        (5, "n1", 1): (2, 45.5, _at(5, 0), _at(5, 40)),
        (5, "n1", 2): (1, 30.0, _at(5, 50), _at(5, 50)),
        (6, "n1", 2): (1, 30.0, _at(6, 5), _at(6, 5)),
        (5, "links", None): (1, 20.0, _at(5, 10), _at(5, 10)),
    }
    first = next(r for r in rollups if (r.hour.hour, r.notice_version) == (5, 1))
    assert first.rows_hash == play_log.plays_hash(plays[:2])
    assert sum(r.plays for r in rollups) == len(plays)


def test_rollups_hash_ignores_row_order_but_not_a_changed_figure():
    rollups = play_log.roll_up([play_log.Play(1, "n1", 1, 1, "a" * 64, _at(5, 0), 30, _at(5, 1)),
                                play_log.Play(2, "n1", 1, 1, "a" * 64, _at(7, 0), 30, _at(7, 1))])
    changed = [rollups[0], play_log.Rollup(**{**rollups[1].__dict__, "seconds": 31.0})]

    assert play_log.rollups_hash(rollups) == play_log.rollups_hash(list(reversed(rollups)))
    assert play_log.rollups_hash(changed) != play_log.rollups_hash(rollups)
