"""The hashes of the play log: fixed by their inputs alone, so anyone can recompute them."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from kiosk_server.domain import play_log


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
