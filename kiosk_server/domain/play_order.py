"""The rules of play: the loop a screen plays at an instant, once playlists (chương trình phát) join notices.

`schedule.evaluate` orders notices alone (emergency, then priority, then normal). Playlists are
laid over that result here, and `kiosk_client/player/play_order.js` mirrors this module for a
screen that is offline; `tests/vectors/play_order.json` holds the cases both must agree on.

The rules, highest first:

* Active emergency notices interrupt everything, playlists included: the loop is only them.
* An active **exclusive** playlist takes the screen, like a broadcast programme: the loop is its
  items, in its order. Priority and normal notices wait until its hours end. (Alerts are not items;
  they cover the screen whatever the loop is.) Should two exclusive playlists be active at once
  (submitting the second is refused, `first_overlap`, but a screen may still meet it), only the
  first in playlist order plays.
* Otherwise active priority notices lead; then each active **mixed** playlist's items in its
  order, playlists ordered by the priority the officer set (higher first), then by their sort key
  (the approval time) and id; then the remaining normal notices in their default order.

A playlist item is a notice (named by its manifest item id, "n12") or a media item of the playlist
(its own id, "p3.1"). A notice item plays only while that notice is itself active: one that expired,
was withdrawn or is outside its own hours drops out of the programme. A notice plays at most once per
loop; its first place wins. A notice that reaches the screen only through a playlist (its own
targets do not reach the screen) is named in `playlist_only` and plays only in its place in a running
playlist: never as a leading priority notice nor as a remaining one.

`next_change` is the earliest instant after `now` at which any rule that can change the loop
switches: while emergencies interrupt, an emergency notice's; otherwise any notice's or playlist's.
It may name an instant at which the loop turns out the same (a notice starting under an exclusive
playlist); evaluating again then is harmless, and both languages name the same instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kiosk_server.domain import schedule

__all__ = [
    "EXCLUSIVE",
    "MIXED",
    "MODES",
    "Entry",
    "Loop",
    "Programme",
    "first_overlap",
    "order",
    "programme_from_json",
    "programme_order",
    "programme_to_json",
]

MIXED = "mixed"
EXCLUSIVE = "exclusive"
MODES = (MIXED, EXCLUSIVE)

_WEEK = timedelta(days=7)
# Two weekly patterns repeat together once both windows are open, so a week (and a hair) of
# transitions settles whether they ever meet; this bounds the walk against a faulty rule set.
_MAX_STEPS = 10_000


@dataclass(frozen=True)
class Entry:
    """One place in a playlist: a notice (`notice`: its item id) or a media item (`id`, `duration_s`)."""

    id: str | None = None
    notice: str | None = None
    duration_s: float | None = None

    def __post_init__(self) -> None:
        if (self.id is None) == (self.notice is None):
            raise ValueError("a playlist entry names either a notice or its own id, not both")


@dataclass(frozen=True)
class Programme:
    """A playlist as the rules see it: its mode, the officer's priority, when it runs and what it plays."""

    id: str
    mode: str
    priority: int
    rules: schedule.Rules
    entries: tuple[Entry, ...]
    sort_key: tuple = field(default=())

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if not isinstance(self.priority, int) or isinstance(self.priority, bool):
            raise ValueError(f"priority is a whole number, not {self.priority!r}")
        object.__setattr__(self, "entries", tuple(self.entries))
        object.__setattr__(self, "sort_key", schedule.freeze(self.sort_key))


@dataclass(frozen=True)
class Loop:
    """What a screen plays now: item ids in play order, whether emergencies interrupt, the exclusive
    playlist holding the screen (its id, or None), and when to evaluate again (None: never)."""

    items: tuple[str, ...]
    interrupting: bool
    exclusive: str | None
    next_change: datetime | None


def order(items: Iterable[schedule.Item], programmes: Iterable[Programme], now: datetime,
          playlist_only: Iterable[str] = ()) -> Loop:
    """Return the loop for the instant `now` (timezone-aware): notices `items` with `programmes` laid over them."""
    base = schedule.evaluate(list(items), now)
    if base.interrupting:
        return Loop(tuple(item.id for item in base.items), True, None, base.next_change)

    programmes = list(programmes)
    changes = [base.next_change, *(schedule.next_transition(programme.rules, now) for programme in programmes)]
    next_change = min((moment for moment in changes if moment is not None), default=None)
    running = sorted((p for p in programmes if schedule.is_active(p.rules, now)), key=programme_order)
    active = {item.id for item in base.items}
    # A notice plays once per loop, in its first place: dict.fromkeys keeps the first of each id.
    exclusive = next((p for p in running if p.mode == EXCLUSIVE), None)
    if exclusive is not None:
        return Loop(tuple(dict.fromkeys(_played(exclusive, active))), False, exclusive.id, next_change)
    hidden = set(playlist_only)
    shown = [item for item in base.items if item.id not in hidden]
    loop = [
        *(item.id for item in shown if item.priority == schedule.PRIORITY),
        *(item_id for programme in running for item_id in _played(programme, active)),
        *(item.id for item in shown),
    ]
    return Loop(tuple(dict.fromkeys(loop)), False, None, next_change)


def _played(programme: Programme, active: set[str]) -> Iterator[str]:
    """Yield the item ids a running programme plays: its media, and its notices that are themselves active."""
    for entry in programme.entries:
        if entry.notice is None:
            yield entry.id
        elif entry.notice in active:
            yield entry.notice


def first_overlap(a: schedule.Rules, b: schedule.Rules, after: datetime) -> datetime | None:
    """Return the first instant at or after `after` at which both `a` and `b` are active, or None if never."""
    moment = max([after, *(r.starts_at for r in (a, b) if r.starts_at is not None)])
    ends = [r.ends_at for r in (a, b) if r.ends_at is not None]
    limit = min([*ends, moment + _WEEK + timedelta(microseconds=1)])
    for _ in range(_MAX_STEPS):
        if moment >= limit:
            return None
        if schedule.is_active(a, moment) and schedule.is_active(b, moment):
            return moment
        steps = [t for t in (schedule.next_transition(a, moment), schedule.next_transition(b, moment)) if t is not None]
        if not steps:
            return None
        moment = min(steps)
    return None


def programme_to_json(programme: Programme) -> dict[str, Any]:
    """Return `programme` as the manifest carries it (the rule-bearing keys; the manifest adds the rest)."""
    return {
        "id": programme.id,
        "mode": programme.mode,
        "priority": programme.priority,
        "sort_key": schedule.thaw(programme.sort_key),
        "rules": schedule.rules_to_json(programme.rules),
        "entries": [_entry_to_json(entry) for entry in programme.entries],
    }


def programme_from_json(data: dict[str, Any]) -> Programme:
    """Return the Programme a `programme_to_json` dict describes. Raises ValueError for malformed values."""
    try:
        entries = []
        for raw in data["entries"]:
            if not isinstance(raw, dict):
                raise ValueError(f"an entry is an object, not {raw!r}")
            notice = raw.get("notice")
            entries.append(Entry(id=None if notice is not None else str(raw["id"]),
                                 notice=None if notice is None else str(notice),
                                 duration_s=raw.get("duration_s")))
        return Programme(id=str(data["id"]), mode=data["mode"], priority=data.get("priority") or 0,
                         rules=schedule.rules_from_json(data.get("rules") or {}), entries=tuple(entries),
                         sort_key=data.get("sort_key") or ())
    except KeyError as missing:
        raise ValueError(f"a playlist needs {missing}") from None


def _entry_to_json(entry: Entry) -> dict[str, Any]:
    if entry.notice is not None:
        return {"notice": entry.notice}
    return {"id": entry.id, "duration_s": entry.duration_s}


def programme_order(programme: Programme) -> tuple:
    """Return the sort key of playlists among themselves: the officer's priority (higher first), then sort key and id."""
    return (-programme.priority, programme.sort_key, programme.id)
