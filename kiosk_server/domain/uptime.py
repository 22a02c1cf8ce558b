"""Screen uptime as interval arithmetic: stretches of connection, online share per Viet Nam day, outages.

Pure values only: no Flask and no database. A screen's record is a list of stretches of connection
(`KioskSession` rows: started, last heard, ended or still open). An open stretch counts until now
while the screen is heard from, and until `last_heard + window` once it falls silent, so a server
process that died without noticing its screens' disconnects never leaves a screen online for ever.
The window is the "online" rule the dashboard uses (services/screens/presence.py ONLINE_WINDOW).

Writing the record is planned here too (`plan_writes`): what one process heard from a screen since
its last write (connections opened, heard, closed) against the screen's open stretch in the
database, so the batched flush writes a few rows per screen and never one per heartbeat.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kiosk_server.domain.timeline import day_bounds


@dataclass(frozen=True, order=True)
class Span:
    """The instants [start, end) (aware datetimes)."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return max(0.0, (self.end - self.start).total_seconds())


def effective_end(ended_at: datetime | None, last_heard_at: datetime, now: datetime, window: timedelta) -> datetime:
    """Return when a stretch ends for reporting: its end, else now while heard within `window`, else last heard + window."""
    if ended_at is not None:
        return ended_at
    return min(now, last_heard_at + window)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Return the union of `spans` as disjoint spans in time order (two processes' stretches may overlap)."""
    merged: list[Span] = []
    for span in sorted(s for s in spans if s.end > s.start):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def clip(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    """Return the parts of `spans` inside [start, end)."""
    return [Span(max(s.start, start), min(s.end, end)) for s in spans if s.end > start and s.start < end]


def online_seconds(spans: Iterable[Span]) -> float:
    """Return the total length of disjoint `spans`, in seconds."""
    return sum(s.seconds for s in spans)


def outages(online: list[Span], start: datetime, end: datetime) -> list[Span]:
    """Return the gaps in disjoint, sorted `online` spans within [start, end): the outages, in time order."""
    gaps: list[Span] = []
    cursor = start
    for span in clip(online, start, end):
        if span.start > cursor:
            gaps.append(Span(cursor, span.start))
        cursor = max(cursor, span.end)
    if cursor < end:
        gaps.append(Span(cursor, end))
    return gaps


@dataclass(frozen=True)
class DayShare:
    """One Viet Nam day of a screen: seconds online of the seconds it was watched; share None when not watched."""

    day: date
    online_s: float
    watched_s: float

    @property
    def share(self) -> float | None:
        return round(min(1.0, self.online_s / self.watched_s), 4) if self.watched_s > 0 else None


def daily_shares(online: list[Span], watched: Span, first: date, last: date) -> list[DayShare]:
    """Return each day `first`..`last` with the seconds online (disjoint `online` spans) out of those inside `watched`.

    `watched` is when the screen could be expected online: from its installation (or the period's
    start) to its revocation, the period's end or now, whichever comes first. A day outside it has
    share None, not 0: a screen not yet installed was not down.
    """
    days: list[DayShare] = []
    spans = sorted(online)  # disjoint (merged), so they end in the order they start
    index = 0  # the first span that may reach into the current day: each span is passed about once
    day = first
    while day <= last:
        start, end = day_bounds(day)
        start, end = max(start, watched.start), min(end, watched.end)
        if end > start:
            while index < len(spans) and spans[index].end <= start:
                index += 1
            seconds = 0.0
            ahead = index
            while ahead < len(spans) and spans[ahead].start < end:
                seconds += (min(spans[ahead].end, end) - max(spans[ahead].start, start)).total_seconds()
                ahead += 1
            days.append(DayShare(day, seconds, (end - start).total_seconds()))
        else:
            days.append(DayShare(day, 0.0, 0.0))
        day += timedelta(days=1)
    return days


# --- writing: what one process heard, planned against the database ---------------------------------


@dataclass
class Heard:
    """What one process heard from one screen since its last write.

    `open` maps the start of each connection still open to when it was last heard; `closed` lists the
    connections that ended, as (start, end). A connection is named by its start, which every report of
    it carries, so reports can arrive in any order within a batch.
    """

    open: dict[datetime, datetime] = field(default_factory=dict)
    closed: list[tuple[datetime, datetime]] = field(default_factory=list)

    def heard(self, since: datetime, at: datetime) -> None:
        """Note that the connection opened at `since` was heard at `at` (connect, hello, heartbeat)."""
        self.open[since] = max(self.open.get(since, at), at)

    def ended(self, since: datetime, at: datetime) -> None:
        """Note that the connection opened at `since` closed at `at`."""
        heard = self.open.pop(since, since)
        self.closed.append((since, max(at, heard)))

    def then(self, later: Heard) -> Heard:
        """Return this followed by `later`, as if both had been heard in one batch."""
        combined = Heard(dict(self.open), list(self.closed))
        for since, at in later.open.items():
            combined.heard(since, at)
        for since, at in later.closed:
            combined.ended(since, at)
        return combined


@dataclass(frozen=True)
class Extend:
    row_id: int
    heard_at: datetime


@dataclass(frozen=True)
class Close:
    """End row `row_id` at `ended_at`, unless someone heard the screen after `guard` meanwhile."""

    row_id: int
    ended_at: datetime
    heard_at: datetime
    guard: datetime


@dataclass(frozen=True)
class NewRow:
    started_at: datetime
    last_heard_at: datetime
    ended_at: datetime | None


@dataclass
class Plan:
    extend: list[Extend] = field(default_factory=list)
    close: list[Close] = field(default_factory=list)
    insert: list[NewRow] = field(default_factory=list)


@dataclass(frozen=True)
class OpenRow:
    """A screen's open stretch as the database holds it."""

    row_id: int
    last_heard_at: datetime


def _groups(heard: Heard) -> list[tuple[datetime, datetime, bool]]:
    """Return the batch's connections as disjoint (start, end, still open) groups in time order.

    A connection still open covers everything after its start (it was open all along), so any
    later connection joins its group; at most the last group is open.
    """
    spans = [(since, at, True) for since, at in heard.open.items()] + [(s, e, False) for s, e in heard.closed]
    groups: list[list] = []
    for start, end, is_open in sorted(spans):
        if groups and (groups[-1][2] or start <= groups[-1][1]):
            groups[-1][1] = max(groups[-1][1], end)
            groups[-1][2] = groups[-1][2] or is_open
        else:
            groups.append([start, end, is_open])
    return [(g[0], g[1], g[2]) for g in groups]


def plan_writes(open_row: OpenRow | None, heard: Heard, window: timedelta) -> Plan:
    """Return the writes that add `heard` to a screen's record whose open stretch is `open_row` (or none).

    A connection that starts within `window` of the open stretch's last word continues it (a
    process restart is not an outage: the screen's next process takes over); a later one first
    closes the stale stretch at last heard + window. A connection that closed ends the stretch,
    unless another process heard the screen after that (it reconnected there).
    """
    plan = Plan()
    row_id = open_row.row_id if open_row else None
    row_heard = open_row.last_heard_at if open_row else None
    for start, end, is_open in _groups(heard):
        if row_id is not None and row_heard + window < start:
            plan.close.append(Close(row_id, row_heard + window, row_heard, row_heard))
            row_id = None
        if row_id is None:
            plan.insert.append(NewRow(start, end, None if is_open else end))
        elif is_open:
            plan.extend.append(Extend(row_id, end))
            row_heard = max(row_heard, end)
        elif row_heard <= end:
            plan.close.append(Close(row_id, end, end, end))
            row_id = None
        # else: another process heard the screen after this connection closed; its stretch goes on.
    return plan


def stale_close(last_heard_at: datetime, now: datetime, window: timedelta) -> datetime | None:
    """Return when a silent open stretch ends (last heard + window), or None while it is still live."""
    end = last_heard_at + window
    return end if end <= now else None
