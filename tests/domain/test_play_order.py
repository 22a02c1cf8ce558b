"""Rules of play beyond the shared vectors: when two exclusive playlists would meet on a screen."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from kiosk_server.domain.play_order import Entry, Programme, first_overlap
from kiosk_server.domain.schedule import VN, Rules

MONDAY = datetime(2026, 12, 7, 0, 0, tzinfo=VN)
EVENING = ((time(19), time(21)),)


def test_evening_programmes_on_the_same_days_meet_at_the_later_start():
    a = Rules(hours=EVENING)
    b = Rules(hours=((time(20, 30), time(22)),))

    assert first_overlap(a, b, MONDAY) == MONDAY.replace(hour=20, minute=30)


def test_touching_hours_do_not_meet():
    morning = Rules(hours=((time(7), time(11)),))
    late = Rules(hours=((time(11), time(13)),))

    assert first_overlap(morning, late, MONDAY) is None


def test_weekday_and_weekend_programmes_never_meet():
    weekdays = Rules(days=frozenset({1, 2, 3, 4, 5}), hours=EVENING)
    weekend = Rules(days=frozenset({6, 7}), hours=EVENING)

    assert first_overlap(weekdays, weekend, MONDAY) is None


def test_windows_that_never_share_an_instant_never_meet_even_at_the_same_hours():
    december = Rules(ends_at=datetime(2026, 12, 31, tzinfo=VN), hours=EVENING)
    january = Rules(starts_at=datetime(2027, 1, 1, tzinfo=VN), hours=EVENING)

    assert first_overlap(december, january, MONDAY) is None


def test_a_meeting_weeks_away_is_found():
    saturdays = Rules(days=frozenset({6}), starts_at=MONDAY + timedelta(days=40))
    always = Rules()

    assert first_overlap(saturdays, always, MONDAY) == datetime(2027, 1, 16, tzinfo=VN)


def test_an_entry_names_a_notice_or_its_own_media_item_not_both():
    with pytest.raises(ValueError):
        Entry(id="p1.0", notice="n1")
    with pytest.raises(ValueError):
        Programme(id="p1", mode="broadcast", priority=0, rules=Rules(), entries=())
