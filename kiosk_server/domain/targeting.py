"""Which screens a notice's targets reach, as Socket.IO rooms, and how a screen names its manifest.

The rule, once: targets `{"units", "groups", "kiosks"}` reach a screen when one of the units is the
screen's unit or above it, one of the groups holds the screen, or the screen is named. Each target
is a room, and a screen joins the room of itself, of every unit of its chain and of its groups; so
a target reaches a screen exactly when they share a room (`reaches`). The database queries of
`services.targeting` compute the same sets in bulk, and the tests hold them to this definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

# A kiosk fetching its manifest writes last_seen at most this often, so the busiest endpoint stays a
# read; the WSGI shortcut answers 304 only while the last write is younger than this.
SEEN_EVERY = timedelta(seconds=30)


def unit_room(code: str) -> str:
    """Return the room of the screens in unit `code` or below it."""
    return f"unit:{code}"


def group_room(group_id: int | str) -> str:
    """Return the room of the screens in group `group_id`."""
    return f"group:{group_id}"


def kiosk_room(kiosk_id: int | str) -> str:
    """Return the room of one screen."""
    return f"kiosk:{kiosk_id}"


def rooms_for(targets: Mapping | None) -> set[str]:
    """Return the rooms of the screens a notice with `targets` plays on (None: nowhere)."""
    if not targets:
        return set()
    return (
        {unit_room(u) for u in targets.get("units", [])}
        | {group_room(g) for g in targets.get("groups", [])}
        | {kiosk_room(k) for k in targets.get("kiosks", [])}
    )


def kiosk_rooms(kiosk_id: int, unit_chain: Iterable[str], group_ids: Iterable[int]) -> list[str]:
    """Return the rooms a screen joins: its own, each unit of its chain (nearest first), its groups."""
    return [kiosk_room(kiosk_id), *(unit_room(c) for c in unit_chain), *(group_room(g) for g in group_ids)]


def reaches(targets: Mapping | None, kiosk_id: int, unit_chain: Iterable[str], group_ids: Iterable[int]) -> bool:
    """Return True when `targets` reach the screen: they share a room."""
    return bool(rooms_for(targets) & set(kiosk_rooms(kiosk_id, unit_chain, group_ids)))


def manifest_etag(kiosk_id: int, version: int) -> str:
    """Return the ETag of a kiosk's manifest at `version` (quoted, as the header carries it)."""
    return f'"m{kiosk_id}-{version}"'


def seen_is_due(last_seen: datetime | None, now: datetime) -> bool:
    """Return True when a manifest fetch at `now` must write the kiosk's last_seen."""
    return last_seen is None or now - last_seen > SEEN_EVERY
