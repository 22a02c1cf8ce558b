"""A screen's day as a picture: when each notice of its manifest may play, and when emergencies cut in.

Pure, like `schedule`: it takes the items of a kiosk manifest (the JSON a screen receives) and a
date on the Viet Nam clock. Each item's rules are walked from one transition to the next with
`schedule.is_active` and `schedule.next_transition`, so a day costs a few binary searches per item
and the edges are exact to the microsecond, never rounded to a scanned minute.

An emergency notice (khẩn cấp) takes the whole screen while it is active (see `schedule.evaluate`),
so the union of the emergency rows is when everything else is interrupted; each other row carries
the parts of its own time that an emergency covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk_server.domain import play_order, schedule

__all__ = ["Block", "DayTimeline", "Row", "Span", "active_spans", "day_bounds", "day_segments", "fraction_of_day"]

DAY = timedelta(days=1)
# A day holds at most a few dozen transitions per item (12 hour ranges, a window); this only stops
# a faulty rule set from looping forever.
_MAX_STEPS = 1_000
_PLAY_ORDER = {schedule.EMERGENCY: 0, schedule.PRIORITY: 1, schedule.NORMAL: 2}


@dataclass(frozen=True)
class Span:
    """A stretch of the day, ``[start, end)``, both on the Viet Nam clock."""

    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """Return "HH:MM–HH:MM" on the Viet Nam clock, with 24:00 for the end of the day."""
        return f"{_clock(self.start, end=False)}–{_clock(self.end, end=True)}"


@dataclass(frozen=True)
class Row:
    """One notice of the manifest: when its rules let it play that day, and what of that is interrupted."""

    id: str
    title: str
    priority: str
    segments: tuple[Span, ...]
    interrupted: tuple[Span, ...] = ()

    @property
    def plays(self) -> bool:
        """Return True when the notice may play at some moment of the day."""
        return bool(self.segments)


@dataclass(frozen=True)
class Block:
    """One playlist (chương trình phát) of the manifest: when it runs that day, and what of that is interrupted.

    While it runs its items play in its order (`play_order`); an exclusive one holds the screen alone.
    """

    id: str
    title: str
    mode: str
    segments: tuple[Span, ...]
    interrupted: tuple[Span, ...] = ()


@dataclass(frozen=True)
class DayTimeline:
    """The day 00:00–24:00 of one screen: a row per item, in play order, the emergency interruptions,
    and a block per playlist, in playlist order."""

    day: date
    start: datetime
    end: datetime
    rows: tuple[Row, ...]
    interruptions: tuple[Span, ...]
    blocks: tuple[Block, ...] = ()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the first instant of `day` and of the day after it, on the Viet Nam clock."""
    start = datetime.combine(day, time(0), schedule.VN)
    return start, start + DAY


def active_spans(rules: schedule.Rules, start: datetime, end: datetime) -> tuple[Span, ...]:
    """Return the stretches of ``[start, end)`` in which `rules` are active, in order, clipped to it."""
    spans: list[Span] = []
    moment = start
    active = schedule.is_active(rules, moment)
    opened = moment if active else None
    for _ in range(_MAX_STEPS):
        following = schedule.next_transition(rules, moment)
        if following is None or following >= end or following <= moment:
            break
        if active:
            spans.append(Span(opened, following))
        else:
            opened = following
        active = not active
        moment = following
    if active:
        spans.append(Span(opened, end))
    return tuple(spans)


def day_segments(items: Iterable[Mapping], day: date, playlists: Iterable[Mapping] = ()) -> DayTimeline:
    """Return the timeline of `day` for manifest `items` (dicts as `schedule.item_to_json` writes them,
    with an optional "title"): rows in play order (emergency, priority, normal; then sort key and id);
    and a block for each of the manifest's `playlists` (as `play_order.programme_to_json` writes them,
    with an optional "name"), in playlist order.
    """
    start, end = day_bounds(day)
    parsed = []
    for data in items:
        item = schedule.item_from_json(data)
        parsed.append((item, str(data.get("title") or item.id)))
    parsed.sort(key=lambda pair: (_PLAY_ORDER[pair[0].priority], pair[0].sort_key, pair[0].id))

    spans = {item.id: active_spans(item.rules, start, end) for item, _ in parsed}
    interruptions = _union(span for item, _ in parsed if item.priority == schedule.EMERGENCY for span in spans[item.id])
    rows = []
    for item, title in parsed:
        covered = () if item.priority == schedule.EMERGENCY else _intersect(spans[item.id], interruptions)
        rows.append(Row(id=item.id, title=title, priority=item.priority, segments=spans[item.id], interrupted=covered))
    programmes = sorted(((play_order.programme_from_json(data), str(data.get("name") or data["id"]))
                         for data in playlists), key=lambda pair: play_order.programme_order(pair[0]))
    blocks = []
    for programme, name in programmes:
        segments = active_spans(programme.rules, start, end)
        blocks.append(Block(id=programme.id, title=name, mode=programme.mode, segments=segments,
                            interrupted=_intersect(segments, interruptions)))
    return DayTimeline(day=day, start=start, end=end, rows=tuple(rows), interruptions=interruptions,
                       blocks=tuple(blocks))


def fraction_of_day(moment: datetime, timeline: DayTimeline) -> float:
    """Return where `moment` falls in the timeline's day, 0.0 at 00:00 and 1.0 at 24:00 (clamped)."""
    share = (moment - timeline.start) / (timeline.end - timeline.start)
    return min(1.0, max(0.0, share))


def _union(spans: Iterable[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return tuple(merged)


def _intersect(spans: tuple[Span, ...], others: tuple[Span, ...]) -> tuple[Span, ...]:
    # Both lists are sorted and disjoint within themselves, and a day holds few of them.
    return tuple(
        Span(max(a.start, b.start), min(a.end, b.end))
        for a in spans
        for b in others
        if max(a.start, b.start) < min(a.end, b.end)
    )


def _clock(moment: datetime, *, end: bool) -> str:
    local = moment.astimezone(schedule.VN)
    if end and local.time() == time(0):
        return "24:00"
    return f"{local:%H:%M}"
