"""The screen is off during the configured daily ranges, and the launcher knows when to look again."""

from datetime import datetime, time

import pytest

from kiosk_client.launcher.blanking import VIET_NAM as VN
from kiosk_client.launcher.blanking import BlankRange, is_blank, next_switch, parse_range

NIGHT = parse_range("22:00-06:00")
LUNCH = parse_range("11:30-13:00")


def test_ranges_are_parsed_and_printed_back():
    assert parse_range("22:00-06:00") == BlankRange(time(22, 0), time(6, 0))
    assert parse_range(" 7:05 - 8:00 ") == BlankRange(time(7, 5), time(8, 0))
    assert parse_range("18:00-24:00") == BlankRange(time(18, 0), time(0, 0))
    assert str(parse_range("7:05-8:00")) == "07:05-08:00"


@pytest.mark.parametrize("text", ["22-06", "25:00-06:00", "22:60-06:00", "06:00-06:00", "", "22:00-06:00-07:00"])
def test_bad_ranges_say_why_in_both_languages(text):
    with pytest.raises(ValueError, match="/"):
        parse_range(text)


@pytest.mark.parametrize(
    ("now", "blank"),
    [
        (time(21, 59, 59), False),
        (time(22, 0), True),
        (time(23, 59, 59), True),
        (time(0, 0), True),
        (time(5, 59, 59), True),
        (time(6, 0), False),
        (time(11, 29), False),
        (time(11, 30), True),
        (time(12, 59, 59), True),
        (time(13, 0), False),
    ],
)
def test_night_range_wraps_past_midnight_and_lunch_does_not(now, blank):
    assert is_blank(now, [NIGHT, LUNCH]) is blank


def test_no_range_never_blanks():
    assert not is_blank(time(3, 0), [])
    assert next_switch(datetime(2026, 3, 1, 3, 0, tzinfo=VN), []) is None


@pytest.mark.parametrize(
    ("now", "switch"),
    [
        (datetime(2026, 3, 1, 21, 59, 30, tzinfo=VN), datetime(2026, 3, 1, 22, 0, tzinfo=VN)),
        (datetime(2026, 3, 1, 22, 0, tzinfo=VN), datetime(2026, 3, 2, 6, 0, tzinfo=VN)),
        (datetime(2026, 3, 1, 23, 0, tzinfo=VN), datetime(2026, 3, 2, 6, 0, tzinfo=VN)),
        (datetime(2026, 3, 2, 3, 0, tzinfo=VN), datetime(2026, 3, 2, 6, 0, tzinfo=VN)),
        (datetime(2026, 3, 2, 6, 0, tzinfo=VN), datetime(2026, 3, 2, 11, 30, tzinfo=VN)),
        (datetime(2026, 3, 2, 12, 0, tzinfo=VN), datetime(2026, 3, 2, 13, 0, tzinfo=VN)),
        (datetime(2026, 3, 2, 13, 0, 0, 1, tzinfo=VN), datetime(2026, 3, 2, 22, 0, tzinfo=VN)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=VN), datetime(2027, 1, 1, 6, 0, tzinfo=VN)),
    ],
)
def test_next_switch_is_the_exact_moment_the_state_changes(now, switch):
    assert next_switch(now, [NIGHT, LUNCH]) == switch


def test_overlapping_ranges_switch_only_where_the_union_ends():
    ranges = [parse_range("20:00-23:00"), parse_range("22:00-02:00"), parse_range("01:00-05:00")]
    assert is_blank(time(0, 30), ranges)
    assert next_switch(datetime(2026, 5, 1, 19, 0, tzinfo=VN), ranges) == datetime(2026, 5, 1, 20, 0, tzinfo=VN)
    assert next_switch(datetime(2026, 5, 1, 20, 0, tzinfo=VN), ranges) == datetime(2026, 5, 2, 5, 0, tzinfo=VN)


def test_ranges_covering_the_whole_day_never_switch():
    ranges = [parse_range("00:00-12:00"), parse_range("12:00-24:00")]
    assert is_blank(time(12, 0), ranges)
    assert next_switch(datetime(2026, 5, 1, 9, 0, tzinfo=VN), ranges) is None
