"""Which plays a screen may report: the item's window and the day's wall time (domain/play_rules.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from kiosk_server.domain import play_rules

NOW = datetime(2026, 12, 31, 17, 1, tzinfo=UTC)  # 00:01 on 01/01/2027 in Viet Nam


def test_a_play_is_believed_from_the_later_of_screen_and_approval_until_five_minutes_ahead():
    created, approved = NOW - timedelta(days=3), NOW - timedelta(days=1)
    earliest = play_rules.earliest_play(created, [approved, None])

    assert earliest == approved
    assert play_rules.earliest_play(NOW, [approved]) == NOW
    assert not play_rules.in_window(approved - timedelta(seconds=1), earliest, NOW)
    assert play_rules.in_window(approved, earliest, NOW)
    assert play_rules.in_window(NOW + timedelta(minutes=5), earliest, NOW)
    assert not play_rules.in_window(NOW + timedelta(minutes=5, seconds=1), earliest, NOW)


def test_an_item_that_never_reached_the_screen_has_no_window():
    assert play_rules.earliest_play(NOW, [None]) is None
    assert not play_rules.in_window(NOW, None, NOW)


def test_plays_are_cut_to_what_is_left_of_each_viet_nam_day():
    # 16:59 UTC is 23:59 in Viet Nam; 17:00 UTC is already the next Viet Nam day.
    late, next_day = datetime(2026, 12, 31, 16, 59, tzinfo=UTC), datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    kept = play_rules.fit_to_wall_time([(late, 600.0), (late, 50.0), (next_day, 86_400.0), (next_day, 1.0)],
                                       {date(2026, 12, 31): 86_000.0})

    assert kept == [400.0, 0.0, 86_400.0, 0.0]
