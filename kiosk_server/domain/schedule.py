"""When notices play: the schedule rules, the playlist for an instant, and when it next changes.

A kiosk shows a pure function of its manifest and its clock (see DESIGN.md, "Invariants"). This
module is that function on the server side; `kiosk_client/player/schedule.js` mirrors it for a kiosk
that is offline, and `tests/vectors/schedule.json` holds the cases both must agree on.

The model:

* A notice is active at an instant when the instant lies in its window ``[starts_at, ends_at)``
  (either bound may be open) AND on one of its weekdays AND within one of its hour ranges.
* Weekdays and hours are read on the Viet Nam wall clock. Viet Nam has kept UTC+07:00 all year
  since 1975, so `VN` is a fixed offset rather than a tz database zone: every local day is exactly
  24 hours long and the JavaScript mirror needs no time zone data.
* An hour range ``(start, end)`` is ``[start, end)``. When ``end <= start`` it wraps past midnight
  and ends on the next day (22:00–02:00, or 22:00–00:00 for "until midnight"), and the weekday rule
  is checked against the day the range started on. ``00:00–00:00`` is the whole day. Any other range
  with ``end == start`` is therefore 24 hours long; `validate_rules` refuses it as a likely typo.
* Emergency notices (khẩn cấp) interrupt everything; priority notices (ưu tiên) lead the loop; then
  normal notices (thông thường). See DOMAIN.md, "Levels and priority".

Internally an instant is counted in whole microseconds ("ticks") from `_EPOCH`, a Monday at 00:00
in Viet Nam, so a position in the week is ``ticks % _WEEK``. The weekday and hour rules repeat every
week, so they are compiled once into the instants of the week at which they switch on or off
(`_Pattern`), and both `is_active` and `next_transition` become a binary search instead of a scan.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any

__all__ = [
    "EMERGENCY",
    "NORMAL",
    "PRIORITIES",
    "PRIORITY",
    "VN",
    "Item",
    "Playlist",
    "Rules",
    "evaluate",
    "freeze",
    "is_active",
    "item_from_json",
    "item_to_json",
    "next_transition",
    "rules_from_json",
    "rules_to_json",
    "thaw",
    "validate_rules",
]

VN = timezone(timedelta(hours=7))
"""Viet Nam's wall clock: UTC+07:00 all year (no daylight saving since 1975)."""

NORMAL = "normal"
PRIORITY = "priority"
EMERGENCY = "emergency"
PRIORITIES = (NORMAL, PRIORITY, EMERGENCY)
"""Priority levels after Thông tư 39/2020/TT-BTTTT, lowest first."""

_US = timedelta(microseconds=1)
_DAY = 86_400_000_000  # microseconds
_WEEK = 7 * _DAY
# Any Monday at 00:00 in Viet Nam works; ticks before it are negative and `%` still gives the
# right position in the week.
_EPOCH = datetime(2024, 1, 1, tzinfo=VN)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Rules:
    """When a notice may play: a window, weekdays and daily hour ranges, all of which must hold.

    `starts_at` and `ends_at` are timezone-aware; the window is ``[starts_at, ends_at)`` and `None`
    leaves that side open. `days` holds ISO weekdays (1 Monday … 7 Sunday) on the Viet Nam clock;
    empty means every day. `hours` holds ``(start, end)`` pairs of naive Viet Nam wall-clock times;
    empty means all day. See the module docstring for ranges that wrap past midnight.

    Construction accepts any iterable for `days` and `hours` and normalises them, so that rules are
    hashable and compare equal whatever container the caller used. Values an officer could get
    wrong (weekday 8, ends before starts) are allowed here and reported by `validate_rules`; values
    only a programmer could get wrong (naive datetimes, times with a time zone) raise ValueError.
    """

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    days: frozenset[int] = frozenset()
    hours: tuple[tuple[time, time], ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.starts_at, "starts_at", optional=True)
        _require_aware(self.ends_at, "ends_at", optional=True)
        hours = tuple(tuple(pair) for pair in self.hours)
        for pair in hours:
            if len(pair) != 2 or not all(isinstance(value, time) for value in pair):
                raise ValueError("hours must hold (start, end) pairs of datetime.time")
            if any(value.tzinfo is not None for value in pair):
                raise ValueError("hours are Viet Nam wall-clock times and must be naive")
        object.__setattr__(self, "days", frozenset(self.days))
        object.__setattr__(self, "hours", hours)


@dataclass(frozen=True)
class Item:
    """One notice as the scheduler sees it: what plays, how urgently, when, and for how long.

    `sort_key` is the caller's stable order inside a priority group (for example
    ``(approved_at_iso, id)``); ties fall back to `id`. Keep it a tuple of strings and numbers of
    the same shape across items, so it compares the same way in Python and in the player. Ids are
    expected to be unique within one evaluation.
    """

    id: str
    priority: str
    rules: Rules
    duration_s: float
    sort_key: tuple = field(default=())

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {PRIORITIES}, not {self.priority!r}")
        if not (
            isinstance(self.duration_s, int | float)
            and not isinstance(self.duration_s, bool)
            and math.isfinite(self.duration_s)
            and self.duration_s > 0
        ):
            raise ValueError(f"duration_s must be a positive number of seconds, not {self.duration_s!r}")
        object.__setattr__(self, "sort_key", freeze(self.sort_key))


@dataclass(frozen=True)
class Playlist:
    """What a screen plays now, and the exact instant at which that must be recomputed.

    `items` is the loop in play order. `interrupting` is True when emergency notices are active, in
    which case the loop holds only them. `next_change` is the earliest instant after the evaluated
    one at which `items` or `interrupting` differ (None: never again), so a player can sleep until
    then instead of polling.
    """

    items: tuple[Item, ...]
    interrupting: bool
    next_change: datetime | None


def is_active(rules: Rules, at: datetime) -> bool:
    """Return True when a notice with these rules may play at the instant `at` (timezone-aware)."""
    _require_aware(at, "at")
    return _state(rules, _ticks(at))[0]


def next_transition(rules: Rules, after: datetime) -> datetime | None:
    """Return the earliest instant strictly after `after` at which `is_active` changes, or None.

    "Changes" means differs from ``is_active(rules, after)``: touching hour ranges (08:00–10:00 and
    10:00–12:00) make no transition at 10:00. The instant is exact to the microsecond, and expressed
    on the Viet Nam clock. None means the answer stays the same forever: the window has closed, the
    rules can never match, or they match at every instant from now on.
    """
    _require_aware(after, "after")
    return _from_ticks(_state(rules, _ticks(after))[1])


def evaluate(items: Iterable[Item], now: datetime) -> Playlist:
    """Return the playlist for the instant `now` (timezone-aware): the loop and its next change.

    Only items active at `now` play. If any emergency item is active the loop is exactly the active
    emergency items and `interrupting` is True. Otherwise active priority items lead and active
    normal items follow. Each group is ordered by ``(sort_key, id)``, so the input order never
    matters.

    `next_change` is exact: the earliest instant after `now` at which the loop or `interrupting`
    differ. While emergencies interrupt, only emergency items can change the loop (a normal notice
    starting behind an alert changes nothing on screen), so it is the earliest transition of an
    emergency item. Otherwise every transition of any item changes the loop (an item joins or leaves
    it, or an emergency begins), so it is the earliest transition of all items. Either way it is
    found without looking past the first transition of each item.
    """
    _require_aware(now, "now")
    t = _ticks(now)
    groups: dict[str, list[Item]] = {EMERGENCY: [], PRIORITY: [], NORMAL: []}
    next_any: int | None = None
    next_emergency: int | None = None
    for item in items:
        active, nxt = _state(item.rules, t)
        if active:
            groups[item.priority].append(item)
        if nxt is not None:
            if next_any is None or nxt < next_any:
                next_any = nxt
            if item.priority == EMERGENCY and (next_emergency is None or nxt < next_emergency):
                next_emergency = nxt
    for group in groups.values():
        group.sort(key=_play_order)
    if groups[EMERGENCY]:
        return Playlist(tuple(groups[EMERGENCY]), True, _from_ticks(next_emergency))
    return Playlist(tuple(groups[PRIORITY] + groups[NORMAL]), False, _from_ticks(next_any))


def validate_rules(rules: Rules) -> dict[str, str]:
    """Return what is wrong with `rules` as {field: message in Vietnamese}; empty when valid.

    Overlapping hour ranges are fine (their union counts). A range of zero length other than
    00:00–00:00 (the whole day) is refused because it almost always means a typo.
    """
    errors: dict[str, str] = {}
    if rules.starts_at is not None and rules.ends_at is not None and rules.ends_at <= rules.starts_at:
        errors["ends_at"] = "Thời điểm kết thúc phải sau thời điểm bắt đầu."
    if any(not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 7 for day in rules.days):
        errors["days"] = "Ngày trong tuần phải từ 1 (thứ Hai) đến 7 (Chủ nhật)."
    for start, end in rules.hours:
        if any(value.second or value.microsecond for value in (start, end)):
            errors["hours"] = "Khung giờ chỉ tính đến phút (HH:MM)."
            break
        if start == end and start != time(0, 0):
            errors["hours"] = f"Khung giờ {start:%H:%M}–{end:%H:%M} không có độ dài; dùng 00:00–00:00 nếu muốn cả ngày."
            break
    return errors


def rules_to_json(rules: Rules) -> dict[str, Any]:
    """Return `rules` as a plain JSON dict, as a kiosk manifest carries them.

    Datetimes become ISO 8601 strings on the Viet Nam clock with their offset
    ("2026-11-22T23:59:59+07:00"), times become "HH:MM", days a sorted list. Raises ValueError for
    hour bounds with seconds, which "HH:MM" cannot carry (`validate_rules` reports them first).
    """
    return {
        "starts_at": _datetime_to_json(rules.starts_at),
        "ends_at": _datetime_to_json(rules.ends_at),
        "days": sorted(rules.days),
        "hours": [[_time_to_json(start), _time_to_json(end)] for start, end in rules.hours],
    }


def rules_from_json(data: dict[str, Any]) -> Rules:
    """Return the Rules a `rules_to_json` dict describes; missing keys mean "no restriction".

    Raises ValueError for malformed values, including datetimes without an offset.
    """
    hours = []
    for pair in data.get("hours") or ():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f"an hour range is a [start, end] pair, not {pair!r}")
        hours.append((_time_from_json(pair[0]), _time_from_json(pair[1])))
    days = data.get("days") or ()
    if not all(isinstance(day, int) and not isinstance(day, bool) for day in days):
        raise ValueError(f"days are ISO weekday numbers, not {days!r}")
    return Rules(
        starts_at=_datetime_from_json(data.get("starts_at")),
        ends_at=_datetime_from_json(data.get("ends_at")),
        days=frozenset(days),
        hours=tuple(hours),
    )


def item_to_json(item: Item) -> dict[str, Any]:
    """Return `item` as a plain JSON dict: id, priority, duration_s, sort_key (a list) and rules."""
    return {
        "id": item.id,
        "priority": item.priority,
        "duration_s": item.duration_s,
        "sort_key": thaw(item.sort_key),
        "rules": rules_to_json(item.rules),
    }


def item_from_json(data: dict[str, Any]) -> Item:
    """Return the Item an `item_to_json` dict describes. Raises ValueError for malformed values."""
    try:
        return Item(
            id=str(data["id"]),
            priority=data["priority"],
            duration_s=data["duration_s"],
            sort_key=freeze(data.get("sort_key") or ()),
            rules=rules_from_json(data.get("rules") or {}),
        )
    except KeyError as missing:
        raise ValueError(f"an item needs {missing}") from None


# --- the weekly pattern -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    """The weekday and hour rules as the positions in the week (microseconds from Monday 00:00)
    where they switch, plus whether they hold just before Monday 00:00.

    Knowing the state just before the week starts and the sorted switch positions, the state at any
    position is that state flipped once per switch at or before it.
    """

    on_before_week: bool
    switches: tuple[int, ...]

    def on_at(self, ticks: int) -> bool:
        """Return whether the weekday and hour rules hold at `ticks`."""
        flips = bisect_right(self.switches, ticks % _WEEK)
        return self.on_before_week ^ bool(flips & 1)

    def next_switch(self, ticks: int) -> int | None:
        """Return the first tick after `ticks` where the rules switch, or None if they never do."""
        if not self.switches:
            return None
        position = ticks % _WEEK
        index = bisect_right(self.switches, position)
        if index < len(self.switches):
            return ticks - position + self.switches[index]
        return ticks - position + _WEEK + self.switches[0]


_ALWAYS = _Pattern(True, ())
_NEVER = _Pattern(False, ())


# Notices share a handful of patterns (every day, office hours, weekdays), so compiling each once
# keeps `evaluate` over thousands of items cheap.
@lru_cache(maxsize=16_384)
def _pattern(days: frozenset[int], hours: tuple[tuple[time, time], ...]) -> _Pattern:
    """Return the compiled weekly pattern of `days` and `hours`."""
    if days:
        weekdays = sorted(day - 1 for day in days if isinstance(day, int) and 1 <= day <= 7)
        if not weekdays:
            return _NEVER  # only impossible weekdays: a non-empty rule that matches no day
    else:
        weekdays = range(7)
    if not hours:
        if len(weekdays) == 7:
            return _ALWAYS
        spans = [(0, _DAY)]
    else:
        spans = []
        for start, end in hours:
            begin, finish = _time_ticks(start), _time_ticks(end)
            # end <= start wraps into the next day; this also makes 00:00–00:00 the whole day.
            spans.append((begin, finish if finish > begin else finish + _DAY))
        spans.sort()
    # Lay the spans out day after day from Monday 00:00 and merge overlapping or touching ones.
    # Starts come in order (weekdays and spans are sorted, and every start lies within its day),
    # so one pass merges them. A span may reach into the next day, and Sunday's past the week.
    merged: list[tuple[int, int]] = []
    begin_run = end_run = -1
    for weekday in weekdays:
        offset = weekday * _DAY
        for begin, finish in spans:
            begin, finish = begin + offset, finish + offset
            if begin <= end_run:
                end_run = max(end_run, finish)
            else:
                if end_run >= 0:
                    merged.append((begin_run, end_run))
                begin_run, end_run = begin, finish
    merged.append((begin_run, end_run))
    # Whatever runs past the end of the week continues from Monday 00:00, joining what it reaches.
    last_begin, last_end = merged[-1]
    if last_end > _WEEK:
        overflow = last_end - _WEEK
        if overflow >= last_begin:
            return _ALWAYS
        merged[-1] = (last_begin, _WEEK)
        joined = 0
        # Runs are disjoint and do not touch, so the overflow never reaches the last run here.
        while merged[joined][0] <= overflow:
            overflow = max(overflow, merged[joined][1])
            joined += 1
        merged[:joined] = [(0, overflow)]
    switches = [position for run in merged for position in run]
    on_before_week = switches[-1] == _WEEK
    if on_before_week:
        # The end of the week is Monday 00:00 again: a run starting there continues the one ending
        # there (no switch at all); otherwise the rules switch off at Monday 00:00.
        switches.pop()
        if switches[0] == 0:
            del switches[0]
        else:
            switches.insert(0, 0)
    return _Pattern(on_before_week, tuple(switches))


def _state(rules: Rules, t: int) -> tuple[bool, int | None]:
    """Return (active at tick `t`, first tick after `t` where that changes, or None)."""
    pattern = _pattern(rules.days, rules.hours)
    start = None if rules.starts_at is None else _ticks(rules.starts_at)
    end = None if rules.ends_at is None else _ticks(rules.ends_at)
    if (end is not None and t >= end) or (start is not None and end is not None and start >= end):
        return False, None  # the window is closed for good (or never opens)
    if start is not None and t < start:
        # Inactive until the window opens; from then on it is the first instant the pattern holds.
        if pattern.on_at(start):
            return False, start
        opens = pattern.next_switch(start)
    elif pattern.on_at(t):
        closes = pattern.next_switch(t)
        if end is not None and (closes is None or end < closes):
            closes = end
        return True, closes
    else:
        opens = pattern.next_switch(t)
    if opens is None or (end is not None and opens >= end):
        return False, None
    return False, opens


# --- conversions ------------------------------------------------------------------------------------


def _require_aware(value: datetime | None, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, not {value!r}")
    if value.utcoffset() is None:
        # A naive datetime could be UTC or Viet Nam time; guessing would shift notices by 7 hours.
        raise ValueError(f"{name} must be timezone-aware, got the naive {value.isoformat()}")


def _ticks(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


def _from_ticks(ticks: int | None) -> datetime | None:
    return None if ticks is None else _EPOCH + timedelta(microseconds=ticks)


def _time_ticks(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _play_order(item: Item) -> tuple:
    return (item.sort_key, item.id)


def freeze(value: Any) -> Any:
    """Return a sort key from JSON with every list made a tuple (nested too), so it is hashable and comparable."""
    if isinstance(value, list | tuple):
        return tuple(freeze(part) for part in value)
    return value


def thaw(value: Any) -> Any:
    """Return a frozen sort key as JSON writes it: every tuple a list again."""
    if isinstance(value, tuple):
        return [thaw(part) for part in value]
    return value


def _datetime_to_json(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(VN).isoformat()


def _datetime_from_json(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"a datetime is an ISO 8601 string, not {value!r}")
    moment = datetime.fromisoformat(value)
    if moment.utcoffset() is None:
        raise ValueError(f"the datetime {value!r} needs an offset such as +07:00")
    return moment.astimezone(VN)


def _time_to_json(value: time) -> str:
    if value.second or value.microsecond:
        raise ValueError(f"hour ranges are whole minutes, not {value.isoformat()}")
    return f"{value:%H:%M}"


def _time_from_json(value: Any) -> time:
    match = _HHMM.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"a time is written HH:MM, not {value!r}")
    return time(int(match[1]), int(match[2]))
