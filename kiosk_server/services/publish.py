"""The one publish path: every change that reaches screens comes through here.

It records where a notice's published version plays (NoticeTarget rows), bumps the manifest version
of exactly the kiosks whose content changed to the number of a new PublishEvent, and, once the
caller has committed, emits `manifest {version}` once per Socket.IO room concerned.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk, Notice, NoticeTarget, PublishEvent
from kiosk_server.models.base import utcnow
from kiosk_server.models.kiosks import kiosk_group_members
from kiosk_server.services import due, scope

KIOSK_NAMESPACE = "/kiosk"
ANNOUNCE_JOB = "manifest.announce"  # stored work: a manifest message sent later


def unit_room(code: str) -> str:
    return f"unit:{code}"


def group_room(group_id: int | str) -> str:
    return f"group:{group_id}"


def kiosk_room(kiosk_id: int | str) -> str:
    return f"kiosk:{kiosk_id}"


def rooms_for(targets: dict | None) -> set[str]:
    """Return the rooms whose members a notice with `targets` plays on."""
    if not targets:
        return set()
    return (
        {unit_room(u) for u in targets.get("units", [])}
        | {group_room(g) for g in targets.get("groups", [])}
        | {kiosk_room(k) for k in targets.get("kiosks", [])}
    )


def kiosks_for(targets: dict | None) -> set[int]:
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


def _store_targets(notice_id: int, targets: dict | None) -> None:
    db.session.execute(delete(NoticeTarget).where(NoticeTarget.notice_id == notice_id))
    if not targets:
        return
    for kind, key in (("unit", "units"), ("group", "groups"), ("kiosk", "kiosks")):
        for ref in targets.get(key, []):
            db.session.add(NoticeTarget(notice_id=notice_id, kind=kind, ref=str(ref)))


def bump(kiosk_ids: set[int], reason: str, rooms: set[str], notice_id: int | None = None) -> PublishEvent:
    """Give `kiosk_ids` a new manifest version (the event's number); the caller commits, then announces."""
    event = PublishEvent(reason=reason, notice_id=notice_id, kiosk_count=len(kiosk_ids))
    db.session.add(event)
    db.session.flush()
    if kiosk_ids:
        db.session.execute(update(Kiosk).where(Kiosk.id.in_(kiosk_ids)).values(manifest_version=event.id))
    event.rooms = sorted(rooms)  # not a column: what `announce` emits to after the commit
    return event


def notice_changed(notice: Notice, old_targets: dict | None, new_targets: dict | None, reason: str) -> PublishEvent:
    """Record that `notice` now plays on `new_targets` (None: nowhere) instead of `old_targets`."""
    _store_targets(notice.id, new_targets)
    touched = kiosks_for(old_targets) | kiosks_for(new_targets)
    return bump(touched, reason, rooms_for(old_targets) | rooms_for(new_targets), notice.id)


def announce(event: PublishEvent, delay_s: float = 0) -> None:
    """Tell the kiosks in each room of `event` that their manifest changed (after the commit).

    With `delay_s`, the message becomes stored work (services/due.py), committed here and sent that
    much later by whichever server process is alive then.
    """
    payload = {"version": event.id, "rooms": sorted(getattr(event, "rooms", []))}
    if delay_s:
        due.schedule(ANNOUNCE_JOB, payload, utcnow() + timedelta(seconds=delay_s))
        db.session.commit()
    else:
        _emit_manifest(payload)


@due.handler(ANNOUNCE_JOB)
def _emit_manifest(payload: dict) -> None:
    for room in payload.get("rooms", []):
        socketio.emit("manifest", {"version": payload["version"]}, to=room, namespace=KIOSK_NAMESPACE)


def command(kiosk_id: int, name: str) -> None:
    """Send a screen a command ("reload", "identify")."""
    socketio.emit("command", {"name": name}, to=kiosk_room(kiosk_id), namespace=KIOSK_NAMESPACE)
