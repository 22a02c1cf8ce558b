"""The day timeline of a screen: bars where each notice may play, emergencies that cut in. No app."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from kiosk_server.domain import schedule, timeline
from kiosk_server.domain.schedule import EMERGENCY, NORMAL, PRIORITY, VN, Item, Rules
from kiosk_server.domain.timeline import Span, day_segments, fraction_of_day

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)
WEDNESDAY = date(2026, 11, 25)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), VN)


def item(id: str, priority: str = NORMAL, title: str | None = None, sort_key: tuple = (), **rules) -> dict:
    """Return a manifest item as a kiosk receives it."""
    data = schedule.item_to_json(Item(id=id, priority=priority, rules=Rules(**rules), duration_s=15, sort_key=sort_key))
    data["title"] = title or f"Thông báo {id}"
    return data


def hours(*ranges: str) -> tuple:
    pairs = []
    for text in ranges:
        start, end = text.split("-")
        pairs.append((time.fromisoformat(start), time.fromisoformat(end)))
    return tuple(pairs)


def labels(row) -> list[str]:
    return [span.label for span in row.segments]


def test_morning_notice_has_one_bar_on_its_weekday_and_none_on_others():
    notice = item("n1", days=[1], hours=hours("07:00-11:30"))

    monday = day_segments([notice], MONDAY)
    tuesday = day_segments([notice], TUESDAY)

    assert monday.rows[0].segments == (Span(at(MONDAY, 7), at(MONDAY, 11, 30)),)
    assert labels(monday.rows[0]) == ["07:00–11:30"]
    assert tuesday.rows[0].segments == ()
    assert not tuesday.rows[0].plays, "a notice that does not play that day still gets its (empty) row"


def test_range_past_midnight_ends_on_the_next_day():
    late = item("n1", days=[1], hours=hours("22:00-02:00"))

    assert labels(day_segments([late], MONDAY).rows[0]) == ["22:00–24:00"]
    assert labels(day_segments([late], TUESDAY).rows[0]) == ["00:00–02:00"], "Monday's range runs into Tuesday"
    assert labels(day_segments([late], WEDNESDAY).rows[0]) == []


def test_every_day_wrap_gives_two_bars_a_day():
    nightly = item("n1", hours=hours("22:00-02:00"))

    row = day_segments([nightly], TUESDAY).rows[0]

    assert labels(row) == ["00:00–02:00", "22:00–24:00"]
    assert row.segments[1].end == at(WEDNESDAY, 0)


def test_no_rules_fill_the_whole_day():
    row = day_segments([item("n1")], MONDAY).rows[0]

    assert labels(row) == ["00:00–24:00"]


def test_window_cuts_the_day_to_the_minute():
    notice = item("n1", starts_at=at(MONDAY, 9, 15), ends_at=at(MONDAY, 16, 45), hours=hours("08:00-17:30"))

    assert labels(day_segments([notice], MONDAY).rows[0]) == ["09:15–16:45"]
    assert labels(day_segments([notice], TUESDAY).rows[0]) == [], "the window has closed"


def test_emergency_interrupts_what_plays_beneath_it():
    morning = item("n1", hours=hours("07:00-11:30"))
    storm = item("n2", EMERGENCY, title="Bão số 3", starts_at=at(MONDAY, 9), ends_at=at(MONDAY, 10))
    evening = item("n3", PRIORITY, hours=hours("18:00-20:00"))

    day = day_segments([morning, storm, evening], MONDAY)

    assert [row.id for row in day.rows] == ["n2", "n3", "n1"], "play order: emergency, priority, normal"
    assert day.interruptions == (Span(at(MONDAY, 9), at(MONDAY, 10)),)
    rows = {row.id: row for row in day.rows}
    assert rows["n1"].interrupted == (Span(at(MONDAY, 9), at(MONDAY, 10)),)
    assert rows["n1"].segments == (Span(at(MONDAY, 7), at(MONDAY, 11, 30)),), "its own time is unchanged"
    assert rows["n3"].interrupted == (), "nothing interrupts the evening"
    assert rows["n2"].interrupted == (), "an emergency is never interrupted by itself"


def test_overlapping_emergencies_merge_into_one_interruption():
    first = item("a", EMERGENCY, hours=hours("09:00-10:00"))
    second = item("b", EMERGENCY, hours=hours("09:30-11:00", "14:00-14:30"))

    day = day_segments([first, second], MONDAY)

    assert [span.label for span in day.interruptions] == ["09:00–11:00", "14:00–14:30"]


def test_rows_keep_the_manifest_sort_key_within_a_priority():
    late = item("n1", sort_key=("2026-11-20T08:00:00+00:00", 1))
    early = item("n2", sort_key=("2026-11-19T08:00:00+00:00", 2))

    assert [row.id for row in day_segments([late, early], MONDAY).rows] == ["n2", "n1"]


def test_day_is_walked_by_transitions_not_by_minutes(monkeypatch):
    calls = []
    real = schedule.next_transition

    def counting(rules, after):
        calls.append(after)
        return real(rules, after)

    monkeypatch.setattr(timeline.schedule, "next_transition", counting)
    notice = item("n1", hours=hours("06:00-07:00", "11:00-13:00", "17:00-19:30"))

    row = day_segments([notice], MONDAY).rows[0]

    assert labels(row) == ["06:00–07:00", "11:00–13:00", "17:00–19:30"]
    assert len(calls) <= 7, "one call per edge of the day, not one per minute"


def test_fraction_of_day_places_moments_on_the_axis():
    day = day_segments([], MONDAY)

    assert fraction_of_day(at(MONDAY, 7), day) == pytest.approx(7 / 24)
    assert fraction_of_day(at(MONDAY, 11, 30), day) == pytest.approx(11.5 / 24)
    assert fraction_of_day(at(TUESDAY, 3), day) == 1.0, "clamped to the day"


def test_playlists_are_blocks_in_playlist_order_cut_by_emergencies():
    from kiosk_server.domain.play_order import Entry, Programme, programme_to_json

    def programme(id: str, mode: str, priority: int, name: str, **rules) -> dict:
        data = programme_to_json(Programme(id=id, mode=mode, priority=priority, rules=Rules(**rules),
                                           entries=(Entry(id=f"{id}.0", duration_s=30),)))
        return {**data, "name": name}

    evening = programme("p1", "exclusive", 0, "Phim tối", hours=hours("19:00-21:00"))
    morning = programme("p2", "mixed", 5, "Vòng buổi sáng", hours=hours("07:00-11:00"))
    storm = item("n9", EMERGENCY, starts_at=at(MONDAY, 20), ends_at=at(MONDAY, 20, 30))

    day = day_segments([storm], MONDAY, [evening, morning])

    assert [(b.id, b.title, b.mode) for b in day.blocks] == [("p2", "Vòng buổi sáng", "mixed"),
                                                             ("p1", "Phim tối", "exclusive")]
    assert [s.label for s in day.blocks[1].segments] == ["19:00–21:00"]
    assert [s.label for s in day.blocks[1].interrupted] == ["20:00–20:30"]
