"""The schedule: which notices play at an instant, in what order, and when that next changes.

Plain values and a fixed clock; no app. The properties check `kiosk_server.domain.schedule` against
`reference_is_active`, a deliberately naive reading of the rules written from their definition.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk_server.domain.schedule import (
    EMERGENCY,
    NORMAL,
    PRIORITY,
    VN,
    Item,
    Playlist,
    Rules,
    evaluate,
    is_active,
    item_from_json,
    item_to_json,
    next_transition,
    rules_from_json,
    rules_to_json,
    validate_rules,
)

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

US = timedelta(microseconds=1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0) -> datetime:
    """Return an instant on the Viet Nam clock."""
    return datetime(year, month, day, hour, minute, second, us, tzinfo=VN)


def notice(id: str, priority: str = NORMAL, sort_key: tuple = (), **rules) -> Item:
    """Return an item with a 15-second slot and the given rules."""
    return Item(id=id, priority=priority, rules=Rules(**rules), duration_s=15, sort_key=sort_key)


def ids(playlist: Playlist) -> list[str]:
    return [item.id for item in playlist.items]


def on_screen(playlist: Playlist) -> tuple:
    """Return what a viewer sees of a playlist: the loop and whether it interrupts."""
    return playlist.items, playlist.interrupting


def reference_is_active(rules: Rules, moment: datetime) -> bool:
    """Return whether `rules` hold at `moment`, read straight from their definition."""
    if rules.starts_at is not None and moment < rules.starts_at:
        return False
    if rules.ends_at is not None and moment >= rules.ends_at:
        return False
    local = moment.astimezone(VN)

    def day_allowed(day: date) -> bool:
        return not rules.days or day.isoweekday() in rules.days

    if not rules.hours:
        return day_allowed(local.date())
    for start, end in rules.hours:
        # A range belongs to the day it starts on; one that wraps may have started yesterday.
        for started_on in (local.date(), local.date() - timedelta(days=1)):
            begin = datetime.combine(started_on, start, VN)
            ends_on = started_on if end > start else started_on + timedelta(days=1)
            if day_allowed(started_on) and begin <= local < datetime.combine(ends_on, end, VN):
                return True
    return False


# --- strategies: a few days around a new year, the 2028 leap day, or a week's end -------------------

# Every draw in one example shares its anchor, so windows and instants land close to each other and
# the interesting collisions (a window ending mid-slot, a slot opening as a window closes) are common.
anchors = st.shared(st.sampled_from([at(2027, 12, 29), at(2028, 2, 26), at(2026, 11, 20)]), key="anchor")
SPAN_MINUTES = 8 * 24 * 60
ZONES = st.sampled_from([VN, UTC, timezone(timedelta(hours=-5))])

# Rules fall on whole minutes (most on the hour) so that sampled instants often hit a boundary.
minutes = st.builds(lambda anchor, m: anchor + timedelta(minutes=m), anchors, st.integers(0, SPAN_MINUTES))
hourly = st.builds(lambda anchor, h: anchor + timedelta(hours=h), anchors, st.integers(0, SPAN_MINUTES // 60))
bounds = st.none() | hourly | minutes
instants = st.builds(
    lambda moment, extra_us, zone: (moment + timedelta(microseconds=extra_us)).astimezone(zone),
    hourly | minutes,
    st.sampled_from([0, 0, 0, 1, 999_999, 59_999_999, -1]),
    ZONES,
)
clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 0, 30]))
hour_ranges = st.tuples(clock_times, clock_times) | st.just((time(0), time(0)))
rules = st.builds(
    Rules,
    starts_at=bounds,
    ends_at=bounds,
    days=st.frozensets(st.integers(1, 7)),
    hours=st.lists(hour_ranges, max_size=3).map(tuple),
)
priorities = st.sampled_from([NORMAL, NORMAL, PRIORITY, EMERGENCY])
item_lists = st.lists(
    st.tuples(priorities, rules, st.tuples(st.integers(0, 2))),
    max_size=8,
).map(lambda drawn: [Item(f"n{i}", p, r, 10, key) for i, (p, r, key) in enumerate(drawn)])


# --- window: starts_at and ends_at ---------------------------------------------------------------


def test_notice_without_rules_plays_forever_and_never_needs_recomputing():
    playlist = evaluate([notice("a")], at(2026, 11, 22, 23, 59, 59))

    assert ids(playlist) == ["a"]
    assert playlist.next_change is None


def test_notice_appears_at_its_start_time():
    item = notice("a", starts_at=at(2026, 11, 23, 7))

    before = evaluate([item], at(2026, 11, 23, 6, 59, 59))

    assert ids(before) == []
    assert before.next_change == at(2026, 11, 23, 7)
    assert ids(evaluate([item], before.next_change)) == ["a"]


def test_expired_notice_leaves_at_its_end_time():
    item = notice("a", starts_at=at(2026, 11, 20, 7), ends_at=at(2026, 11, 23, 17))

    last_second = evaluate([item], at(2026, 11, 23, 16, 59, 59))

    assert ids(last_second) == ["a"]
    assert last_second.next_change == at(2026, 11, 23, 17)
    after = evaluate([item], at(2026, 11, 23, 17))
    assert ids(after) == []
    assert after.next_change is None


def test_notice_ending_in_the_middle_of_its_slot_leaves_at_its_end_time():
    item = notice("a", ends_at=at(2026, 11, 23, 9, 15), hours=((time(8), time(10)),))

    playlist = evaluate([item], at(2026, 11, 23, 8))

    assert ids(playlist) == ["a"]
    assert playlist.next_change == at(2026, 11, 23, 9, 15)


def test_window_that_ends_before_it_starts_never_plays():
    item = notice("a", starts_at=at(2026, 11, 23, 17), ends_at=at(2026, 11, 23, 7))

    playlist = evaluate([item], at(2026, 11, 23))

    assert ids(playlist) == []
    assert playlist.next_change is None


def test_window_far_ahead_opens_at_its_first_matching_hour():
    # The window opens 30 days ahead at noon, after that day's 08:00–10:00 slot, so the notice
    # first plays the morning after: well beyond any fixed look-ahead.
    item = notice("a", starts_at=at(2026, 12, 22, 12), hours=((time(8), time(10)),))

    playlist = evaluate([item], at(2026, 11, 22, 9))

    assert ids(playlist) == []
    assert playlist.next_change == at(2026, 12, 23, 8)


def test_window_that_closes_before_the_next_slot_means_no_more_changes():
    item = notice("a", ends_at=at(2028, 3, 1), hours=((time(7), time(11)),))

    playlist = evaluate([item], at(2028, 2, 29, 11))

    assert ids(playlist) == []
    assert playlist.next_change is None


def test_slot_opening_exactly_when_the_window_closes_never_plays():
    item = notice("a", ends_at=at(2026, 11, 23, 8), hours=((time(8), time(10)),))

    playlist = evaluate([item], at(2026, 11, 23, 7))

    assert ids(playlist) == []
    assert playlist.next_change is None


# --- weekdays and hours on the Viet Nam clock ----------------------------------------------------


def test_weekday_notice_leaves_at_midnight_at_the_end_of_january():
    item = notice("a", days=frozenset({1}))  # Monday 31 January 2028 only among these days

    last_second = evaluate([item], at(2028, 1, 31, 23, 59, 59))

    assert ids(last_second) == ["a"]
    assert last_second.next_change == at(2028, 2, 1)
    first_of_february = evaluate([item], at(2028, 2, 1))
    assert ids(first_of_february) == []
    assert first_of_february.next_change == at(2028, 2, 7)


def test_tuesday_notice_plays_on_the_leap_day_of_2028():
    item = notice("a", days=frozenset({2}))

    eve = evaluate([item], at(2028, 2, 28, 23, 59, 59, 999_999))

    assert ids(eve) == []
    assert eve.next_change == at(2028, 2, 29)
    leap_day = evaluate([item], at(2028, 2, 29, 12))
    assert ids(leap_day) == ["a"]
    assert leap_day.next_change == at(2028, 3, 1)


def test_morning_slot_on_the_leap_day_and_not_after_the_window_closes():
    item = notice("a", starts_at=at(2028, 2, 28, 12), ends_at=at(2028, 3, 1), hours=((time(7), time(11)),))

    night = evaluate([item], at(2028, 2, 28, 23))

    assert ids(night) == []
    assert night.next_change == at(2028, 2, 29, 7)
    assert ids(evaluate([item], at(2028, 2, 29, 10, 59))) == ["a"]


def test_new_year_greeting_starts_at_midnight_and_old_year_notice_ends():
    old = notice("old", ends_at=at(2028, 1, 1))
    greeting = notice("greeting", starts_at=at(2028, 1, 1), days=frozenset({6}))  # 1/1/2028 is a Saturday

    eve = evaluate([old, greeting], at(2027, 12, 31, 23, 59, 59))

    assert ids(eve) == ["old"]
    assert eve.next_change == at(2028, 1, 1)
    new_year = evaluate([old, greeting], at(2028, 1, 1))
    assert ids(new_year) == ["greeting"]
    assert new_year.next_change == at(2028, 1, 2)


def test_friday_night_range_runs_past_midnight_into_saturday():
    rules = Rules(days=frozenset({5}), hours=((time(22), time(2)),))  # Friday 20 November 2026

    assert not is_active(rules, at(2026, 11, 20, 1))  # started Thursday night: not a Friday range
    assert not is_active(rules, at(2026, 11, 20, 21, 59, 59))
    assert is_active(rules, at(2026, 11, 20, 22))
    assert is_active(rules, at(2026, 11, 21, 1, 59, 59))  # Saturday, but the range began Friday
    assert not is_active(rules, at(2026, 11, 21, 2))
    assert not is_active(rules, at(2026, 11, 21, 23))  # Saturday night is not Friday night
    assert next_transition(rules, at(2026, 11, 20, 12)) == at(2026, 11, 20, 22)
    assert next_transition(rules, at(2026, 11, 20, 22)) == at(2026, 11, 21, 2)
    assert next_transition(rules, at(2026, 11, 21, 2)) == at(2026, 11, 27, 22)


def test_sunday_is_day_seven():
    rules = Rules(days=frozenset({7}))

    assert is_active(rules, at(2026, 11, 22, 0))  # Sunday
    assert is_active(rules, at(2026, 11, 22, 23, 59, 59, 999_999))
    assert not is_active(rules, at(2026, 11, 23))  # Monday
    assert next_transition(rules, at(2026, 11, 22, 12)) == at(2026, 11, 23)
    assert next_transition(rules, at(2026, 11, 23)) == at(2026, 11, 29)


def test_sunday_night_range_carries_over_into_monday_morning():
    rules = Rules(days=frozenset({7}), hours=((time(22), time(2)),))

    assert is_active(rules, at(2026, 11, 23, 1))  # Monday 01:00, from Sunday 22:00
    assert next_transition(rules, at(2026, 11, 23, 1)) == at(2026, 11, 23, 2)
    assert next_transition(rules, at(2026, 11, 23, 2)) == at(2026, 11, 29, 22)


def test_midnight_to_midnight_means_the_whole_day():
    rules = Rules(days=frozenset({3}), hours=((time(0), time(0)),))  # Wednesdays

    assert is_active(rules, at(2026, 11, 25))
    assert is_active(rules, at(2026, 11, 25, 23, 59, 59))
    assert not is_active(rules, at(2026, 11, 26))
    assert next_transition(rules, at(2026, 11, 25, 8)) == at(2026, 11, 26)


def test_range_until_midnight_is_written_with_00_00_as_its_end():
    rules = Rules(hours=((time(22), time(0)),))

    assert is_active(rules, at(2026, 11, 22, 23, 59, 59))
    assert not is_active(rules, at(2026, 11, 23))
    assert next_transition(rules, at(2026, 11, 22, 22)) == at(2026, 11, 23)


def test_touching_ranges_play_straight_through_the_joint():
    rules = Rules(hours=((time(10), time(12)), (time(8), time(10))))

    assert next_transition(rules, at(2026, 11, 22, 9)) == at(2026, 11, 22, 12)


def test_every_day_around_the_clock_never_changes_again():
    rules = Rules(days=frozenset(range(1, 8)), hours=((time(6), time(6)), (time(0), time(0))))

    assert is_active(rules, at(2026, 11, 22))
    assert next_transition(rules, at(2026, 11, 22)) is None


def test_rule_with_only_impossible_weekdays_never_plays():
    rules = Rules(days=frozenset({0, 8}))

    assert not is_active(rules, at(2026, 11, 22))
    assert next_transition(rules, at(2026, 11, 22)) is None


def test_instant_in_another_time_zone_is_read_on_the_viet_nam_clock():
    rules = Rules(days=frozenset({1}), hours=((time(7), time(8)),))  # Monday 23 November 2026

    assert is_active(rules, datetime(2026, 11, 23, 0, 30, tzinfo=UTC))  # 07:30 in Viet Nam
    assert not is_active(rules, datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
    change = next_transition(rules, datetime(2026, 11, 23, 0, 30, tzinfo=UTC))
    assert change == at(2026, 11, 23, 8)
    assert change.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: is_active(Rules(), naive),
        lambda naive: next_transition(Rules(), naive),
        lambda naive: evaluate([], naive),
        lambda naive: Rules(starts_at=naive),
        lambda naive: Rules(ends_at=naive),
    ],
    ids=["is_active", "next_transition", "evaluate", "starts_at", "ends_at"],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2026, 11, 22, 8))  # noqa: DTZ001 - the naive value under test


def test_hours_with_a_time_zone_are_refused():
    with pytest.raises(ValueError, match="naive"):
        Rules(hours=((time(8, tzinfo=VN), time(9, tzinfo=VN)),))


# --- priority and order --------------------------------------------------------------------------


def test_emergency_interrupts_everything_and_the_loop_resumes_when_it_ends():
    storm = notice("storm", EMERGENCY, ends_at=at(2026, 11, 22, 18))
    vaccination = notice("vaccination", PRIORITY)
    market = notice("market")

    during = evaluate([market, storm, vaccination], at(2026, 11, 22, 12))

    assert ids(during) == ["storm"]
    assert during.interrupting
    assert during.next_change == at(2026, 11, 22, 18)
    after = evaluate([market, storm, vaccination], during.next_change)
    assert ids(after) == ["vaccination", "market"]
    assert not after.interrupting
    assert after.next_change is None


def test_changes_hidden_behind_an_emergency_do_not_wake_the_player():
    storm = notice("storm", EMERGENCY, ends_at=at(2026, 11, 22, 18))
    lunch_hours = notice("office", hours=((time(13), time(14)),))

    playlist = evaluate([storm, lunch_hours], at(2026, 11, 22, 12))

    assert playlist.next_change == at(2026, 11, 22, 18)  # not 13:00 or 14:00, which show nothing new


def test_emergency_starting_later_wakes_the_player_when_it_starts():
    flood = notice("flood", EMERGENCY, starts_at=at(2026, 11, 22, 15))

    playlist = evaluate([notice("market"), flood], at(2026, 11, 22, 12))

    assert ids(playlist) == ["market"]
    assert playlist.next_change == at(2026, 11, 22, 15)
    assert evaluate([notice("market"), flood], playlist.next_change).interrupting


def test_priority_notices_lead_the_loop():
    items = [notice("n1"), notice("p1", PRIORITY), notice("n2"), notice("p2", PRIORITY)]

    assert ids(evaluate(items, at(2026, 11, 22))) == ["p1", "p2", "n1", "n2"]


def test_order_within_a_level_follows_sort_key_then_id():
    items = [
        notice("c", sort_key=("2026-11-20T08:00:00+07:00",)),
        notice("b", sort_key=("2026-11-21T08:00:00+07:00",)),
        notice("a", sort_key=("2026-11-21T08:00:00+07:00",)),
        notice("z", sort_key=("2026-11-19T08:00:00+07:00",)),
    ]

    assert ids(evaluate(items, at(2026, 11, 22))) == ["z", "c", "a", "b"]


# --- properties ----------------------------------------------------------------------------------


@settings(deadline=None)
@given(rules, instants)
def test_is_active_reads_the_rules_as_written(rule, moment):
    assert is_active(rule, moment) == reference_is_active(rule, moment)


@settings(deadline=None)
@given(item_lists, instants)
def test_nothing_outside_its_window_ever_plays(items, now):
    playlist = evaluate(items, now)

    playing = {item.id for item in playlist.items}
    assert all(reference_is_active(item.rules, now) for item in playlist.items)
    if not playlist.interrupting:
        assert playing == {item.id for item in items if reference_is_active(item.rules, now)}


@settings(deadline=None)
@given(item_lists, instants, st.randoms(use_true_random=False))
def test_input_order_never_changes_the_playlist(items, now, random):
    shuffled = list(items)
    random.shuffle(shuffled)

    assert evaluate(shuffled, now) == evaluate(items, now)


@settings(deadline=None)
@given(item_lists, instants)
def test_emergency_interrupts_with_exactly_the_active_emergencies(items, now):
    playlist = evaluate(items, now)

    emergencies = {item.id for item in items if item.priority == EMERGENCY and reference_is_active(item.rules, now)}
    assert playlist.interrupting == bool(emergencies)
    if emergencies:
        assert {item.id for item in playlist.items} == emergencies


@settings(deadline=None)
@given(item_lists, instants)
def test_priority_leads_and_each_level_is_in_sort_order(items, now):
    playlist = evaluate(items, now)

    levels = [item.priority for item in playlist.items]
    assert levels == sorted(levels, key=[EMERGENCY, PRIORITY, NORMAL].index)
    for level in (EMERGENCY, PRIORITY, NORMAL):
        keys = [(item.sort_key, item.id) for item in playlist.items if item.priority == level]
        assert keys == sorted(keys)


@settings(deadline=None)
@given(rules, instants, st.data())
def test_next_transition_is_the_exact_instant_the_answer_flips(rule, after, data):
    now_active = is_active(rule, after)
    change = next_transition(rule, after)

    if change is None:
        for days in (1, 7, 8, 30, 400):
            later = after + timedelta(days=days, minutes=data.draw(st.integers(0, 1439)))
            assert reference_is_active(rule, later) == now_active
        return
    assert change > after
    assert reference_is_active(rule, change) != now_active
    gap_us = (change - after) // US
    for offset_us in {gap_us - 1, data.draw(st.integers(1, gap_us)) - 1, data.draw(st.integers(1, gap_us)) - 1}:
        if offset_us > 0:
            assert reference_is_active(rule, after + timedelta(microseconds=offset_us)) == now_active


@settings(deadline=None)
@given(item_lists, instants, st.data())
def test_next_change_is_the_exact_instant_the_screen_changes(items, now, data):
    playlist = evaluate(items, now)

    if playlist.next_change is None:
        for days in (1, 8, 30, 400):
            later = now + timedelta(days=days, minutes=data.draw(st.integers(0, 1439)))
            assert evaluate(items, later) == playlist
        return
    assert playlist.next_change > now
    assert on_screen(evaluate(items, playlist.next_change)) != on_screen(playlist)
    gap_us = (playlist.next_change - now) // US
    for offset_us in {gap_us - 1, data.draw(st.integers(1, gap_us)) - 1, data.draw(st.integers(1, gap_us)) - 1}:
        if offset_us > 0:
            assert evaluate(items, now + timedelta(microseconds=offset_us)) == playlist


# --- validation ----------------------------------------------------------------------------------


def test_valid_rules_have_no_errors():
    rules = Rules(
        starts_at=at(2026, 11, 22, 7),
        ends_at=at(2026, 11, 30, 17),
        days=frozenset({1, 7}),
        hours=((time(0), time(0)), (time(7), time(11)), (time(9), time(12)), (time(22), time(2))),
    )

    assert validate_rules(rules) == {}


@pytest.mark.parametrize("ends_at", [at(2026, 11, 22, 7), at(2026, 11, 22, 6, 59)], ids=["equal", "earlier"])
def test_notice_must_end_after_it_starts(ends_at):
    errors = validate_rules(Rules(starts_at=at(2026, 11, 22, 7), ends_at=ends_at))

    assert errors == {"ends_at": "Thời điểm kết thúc phải sau thời điểm bắt đầu."}


@pytest.mark.parametrize("day", [0, 8, -1])
def test_weekday_must_be_monday_to_sunday(day):
    assert validate_rules(Rules(days=frozenset({1, day}))) == {
        "days": "Ngày trong tuần phải từ 1 (thứ Hai) đến 7 (Chủ nhật)."
    }


def test_hour_range_of_no_length_is_refused_unless_it_is_the_whole_day():
    errors = validate_rules(Rules(hours=((time(8), time(8)),)))

    assert errors == {"hours": "Khung giờ 08:00–08:00 không có độ dài; dùng 00:00–00:00 nếu muốn cả ngày."}


def test_hours_are_whole_minutes():
    errors = validate_rules(Rules(hours=((time(8, 0, 30), time(9)),)))

    assert errors == {"hours": "Khung giờ chỉ tính đến phút (HH:MM)."}


@pytest.mark.parametrize(
    ("priority", "duration_s"),
    [("urgent", 10), (NORMAL, 0), (NORMAL, -5), (NORMAL, float("inf")), (NORMAL, True)],
)
def test_item_needs_a_known_priority_and_a_positive_duration(priority, duration_s):
    with pytest.raises(ValueError):
        Item(id="a", priority=priority, rules=Rules(), duration_s=duration_s)


# --- JSON for the kiosk manifest -----------------------------------------------------------------


def test_rules_travel_as_iso_strings_hh_mm_and_sorted_days():
    rules = Rules(
        starts_at=datetime(2026, 11, 22, 0, 30, tzinfo=UTC),
        ends_at=None,
        days={7, 5},
        hours=[(time(22), time(2))],
    )

    assert rules_to_json(rules) == {
        "starts_at": "2026-11-22T07:30:00+07:00",
        "ends_at": None,
        "days": [5, 7],
        "hours": [["22:00", "02:00"]],
    }


def test_item_travels_with_its_sort_key_as_a_list():
    item = notice("a", PRIORITY, sort_key=("2026-11-20T08:00:00+07:00", "a"), ends_at=at(2026, 12, 1))

    data = item_to_json(item)

    assert data == {
        "id": "a",
        "priority": "priority",
        "duration_s": 15,
        "sort_key": ["2026-11-20T08:00:00+07:00", "a"],
        "rules": {"starts_at": None, "ends_at": "2026-12-01T00:00:00+07:00", "days": [], "hours": []},
    }
    assert item_from_json(data) == item


def test_missing_rule_keys_mean_no_restriction():
    assert rules_from_json({}) == Rules()


@pytest.mark.parametrize(
    "data",
    [
        {"starts_at": "2026-11-22T07:30:00"},
        {"ends_at": 1_700_000_000},
        {"hours": [["7:30", "09:00"]]},
        {"hours": [["24:00", "09:00"]]},
        {"hours": [["07:30"]]},
        {"days": ["1"]},
    ],
    ids=["naive datetime", "number as datetime", "H:MM", "24:00", "lone time", "day as text"],
)
def test_malformed_rules_json_is_refused(data):
    with pytest.raises(ValueError):
        rules_from_json(data)


def test_item_json_without_an_id_is_refused():
    with pytest.raises(ValueError, match="id"):
        item_from_json({"priority": NORMAL, "duration_s": 10})


def test_hours_with_seconds_cannot_travel_as_hh_mm():
    with pytest.raises(ValueError):
        rules_to_json(Rules(hours=((time(8, 0, 30), time(9)),)))


@settings(deadline=None)
@given(st.tuples(priorities, rules, st.tuples(st.integers(0, 2), st.text(max_size=3))))
def test_items_survive_the_trip_through_json(drawn):
    priority, rule, sort_key = drawn
    item = Item("a", priority, rule, 12.5, sort_key)

    assert item_from_json(item_to_json(item)) == item
