"""Which screen gets what: targets to kiosks and rooms, a kiosk to its rooms, its notices and its playlists.

The rule itself is `domain.targeting` (a target reaches a screen when they share a room); this
module answers the same questions from the database, in bulk. Publishing (`services.publish`), the
manifest (`services.manifest`) and the socket namespace (`sockets.kiosk`) all ask here, so a notice
is never announced to a room whose screens would not find it in their manifest, or the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select

from kiosk_server.domain.targeting import (
    group_room,
    kiosk_room,
    kiosk_rooms,
    manifest_etag,
    rooms_for,
    unit_room,
)
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, KioskGroup, NoticeTarget, PlaylistTarget, Unit
from kiosk_server.models.kiosks import kiosk_group_members
from kiosk_server.models.playlists import playlist_members
from kiosk_server.models.users import User
from kiosk_server.services.core import scope

__all__ = [
    "check_targets",
    "etag_for",
    "group_room",
    "kiosk_room",
    "kiosks_everywhere",
    "kiosks_for",
    "normalise_targets",
    "notice_ids_for",
    "playlist_ids_for",
    "playlist_reach_of_notice",
    "rooms_everywhere",
    "rooms_for",
    "rooms_of",
    "store_notice_targets",
    "store_playlist_targets",
    "unit_room",
]

# How each kind of target is stored in NoticeTarget and PlaylistTarget rows, and named in `targets`.
_KINDS = (("unit", "units"), ("group", "groups"), ("kiosk", "kiosks"))


def kiosks_for(targets: Mapping | None) -> set[int]:
    """Return the ids of the unrevoked kiosks that `targets` reach (units include everything below)."""
    if not targets:
        return set()
    conditions = []
    units: set[str] = set()
    for code in targets.get("units", []):
        units |= scope.descendant_codes(code)
    if units:
        conditions.append(Kiosk.unit_code.in_(units))
    if targets.get("groups"):
        members = select(kiosk_group_members.c.kiosk_id).where(kiosk_group_members.c.group_id.in_(targets["groups"]))
        conditions.append(Kiosk.id.in_(members))
    if targets.get("kiosks"):
        conditions.append(Kiosk.id.in_(targets["kiosks"]))
    if not conditions:
        return set()
    return set(db.session.scalars(select(Kiosk.id).where(or_(*conditions), Kiosk.revoked_at.is_(None))))


def kiosks_everywhere() -> set[int]:
    """Return the ids of every unrevoked kiosk (what a national change reaches)."""
    return set(db.session.scalars(select(Kiosk.id).where(Kiosk.revoked_at.is_(None))))


def rooms_everywhere() -> set[str]:
    """Return rooms that together hold every screen: one per province."""
    return {unit_room(c) for c in db.session.scalars(select(Unit.code).where(Unit.level == "province"))}


def rooms_of(kiosk: Kiosk) -> list[str]:
    """Return the rooms `kiosk` joins when it connects."""
    return kiosk_rooms(kiosk.id, scope.ancestor_codes(kiosk.unit_code), [g.id for g in kiosk.groups])


def store_notice_targets(notice_id: int, targets: Mapping | None) -> None:
    """Record that notice `notice_id` plays on `targets` (None: nowhere), for `notice_ids_for`."""
    _store_targets(NoticeTarget, NoticeTarget.notice_id, notice_id, targets)


def store_playlist_targets(playlist_id: int, targets: Mapping | None) -> None:
    """Record that playlist `playlist_id` plays on `targets` (None: nowhere), for `playlist_ids_for`."""
    _store_targets(PlaylistTarget, PlaylistTarget.playlist_id, playlist_id, targets)


def notice_ids_for(kiosk: Kiosk, unit_chain: list[str] | None = None) -> list[int]:
    """Return the ids of the notices whose published targets reach `kiosk` (`unit_chain`: its units, if known)."""
    return _ids_for(NoticeTarget, NoticeTarget.notice_id, kiosk, unit_chain)


def playlist_ids_for(kiosk: Kiosk, unit_chain: list[str] | None = None) -> list[int]:
    """Return the ids of the playlists whose published targets reach `kiosk` (`unit_chain`: its units, if known)."""
    return _ids_for(PlaylistTarget, PlaylistTarget.playlist_id, kiosk, unit_chain)


def playlist_reach_of_notice(notice_id: int) -> dict:
    """Return the targets, merged, of the published playlists that play notice `notice_id`.

    A notice in a playlist reaches the playlist's screens too, so its edits and its withdrawal must.
    """
    rows = db.session.execute(
        select(PlaylistTarget.kind, PlaylistTarget.ref).distinct()
        .join(playlist_members, and_(playlist_members.c.playlist_id == PlaylistTarget.playlist_id,
                                     playlist_members.c.slot == "published"))
        .where(playlist_members.c.notice_id == notice_id)
    ).all()
    reach: dict[str, list] = {"units": [], "groups": [], "kiosks": []}
    for kind, ref in rows:
        key = dict(_KINDS)[kind]
        reach[key].append(ref if kind == "unit" else int(ref))
    return reach


def _store_targets(model, owner_column, owner_id: int, targets: Mapping | None) -> None:
    db.session.execute(delete(model).where(owner_column == owner_id))
    if not targets:
        return
    for kind, key in _KINDS:
        for ref in targets.get(key, []):
            db.session.add(model(**{owner_column.key: owner_id, "kind": kind, "ref": str(ref)}))


def _ids_for(model, owner_column, kiosk: Kiosk, unit_chain: list[str] | None) -> list[int]:
    chain = unit_chain if unit_chain is not None else scope.ancestor_codes(kiosk.unit_code)
    group_ids = [str(g.id) for g in kiosk.groups]
    matches = [and_(model.kind == "unit", model.ref.in_(chain)),
               and_(model.kind == "kiosk", model.ref == str(kiosk.id))]
    if group_ids:
        matches.append(and_(model.kind == "group", model.ref.in_(group_ids)))
    return list(db.session.scalars(select(owner_column).where(or_(*matches)).distinct()))


def etag_for(kiosk: Kiosk) -> str:
    """Return the ETag of the kiosk's current manifest (changes whenever its version does)."""
    return manifest_etag(kiosk.id, kiosk.manifest_version)


# --- targets an officer writes --------------------------------------------------------------------

def check_targets(targets: dict, unit_code: str, actor: User, errors: dict) -> None:
    """Note in `errors` the targets that do not exist; raise Forbidden for one outside the actor's scope.

    Groups may be named (names are unique within `unit_code`). Every approvable kind checks its targets here.
    """
    found: dict[str, list] = {"units": [], "groups": [], "kiosks": []}
    for code in targets["units"]:
        if db.session.get(Unit, code) is None:
            errors["targets"] = _l("Không có đơn vị mã “%(code)s”.", code=code)
        else:
            found["units"].append(code)
    for ref in targets["groups"]:
        group = _find_group(ref, unit_code)
        if group is None:
            errors["targets"] = _l("Không có nhóm màn hình “%(ref)s”.", ref=ref)
        else:
            found["groups"].append(group.id)
    for kiosk_id in targets["kiosks"]:
        if db.session.get(Kiosk, kiosk_id) is None:
            errors["targets"] = _l("Không có màn hình số %(id)s.", id=kiosk_id)
        else:
            found["kiosks"].append(kiosk_id)
    scope.require_targets_in_scope(actor, found)


def _find_group(ref: int | str, unit_code: str) -> KioskGroup | None:
    if isinstance(ref, int):
        return db.session.get(KioskGroup, ref)
    # A group may be named instead of numbered; names are unique within a unit.
    return db.session.scalar(select(KioskGroup).where(KioskGroup.name == ref, KioskGroup.unit_code == unit_code))


def normalise_targets(fields: dict) -> dict:
    """Return targets with group names turned into ids and the own unit of `fields` when none is given."""
    targets = fields["targets"]
    groups = [_find_group(ref, fields["unit_code"]).id for ref in targets["groups"]]
    clean = {"units": sorted(targets["units"]), "groups": sorted(set(groups)), "kiosks": sorted(targets["kiosks"])}
    if not any(clean.values()):
        clean["units"] = [fields["unit_code"]]
    return clean
