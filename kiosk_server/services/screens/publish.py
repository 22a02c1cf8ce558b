"""The one publish path: every change that reaches screens comes through here.

It records where a notice's or a playlist's published version plays (NoticeTarget, PlaylistTarget
rows), bumps the manifest version of exactly the kiosks whose content changed to the number of a new
PublishEvent, and, once the caller has committed, emits `manifest {version}` once per Socket.IO room concerned.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk, Notice, PublishEvent
from kiosk_server.models.base import among_ids, utcnow
from kiosk_server.services.core import due
from kiosk_server.services.screens import targeting

KIOSK_NAMESPACE = "/kiosk"
ANNOUNCE_JOB = "manifest.announce"  # stored work: a manifest message sent later
MAX_SPREAD_S = 120.0  # however many screens: a notice is on every one within two minutes


def bump(kiosk_ids: set[int], reason: str, rooms: set[str], notice_id: int | None = None) -> PublishEvent:
    """Give `kiosk_ids` a new manifest version (the event's number); the caller commits, then announces."""
    event = PublishEvent(reason=reason, notice_id=notice_id, kiosk_count=len(kiosk_ids))
    db.session.add(event)
    db.session.flush()
    if kiosk_ids:
        dialect = db.session.get_bind().dialect.name
        db.session.execute(update(Kiosk).where(among_ids(Kiosk.id, kiosk_ids, dialect))
                           .values(manifest_version=event.id))
    # Not columns: what `announce` emits, kept as plain values so it needs no database after the
    # commit (an alert announces later, from a background task outside any session).
    event.rooms = sorted(rooms)
    event.manifest_version = event.id
    return event


def notice_changed(notice: Notice, old_targets: dict | None, new_targets: dict | None, reason: str) -> PublishEvent:
    """Record that `notice` now plays on `new_targets` (None: nowhere) instead of `old_targets`."""
    targeting.store_notice_targets(notice.id, new_targets)
    # The screens of the playlists that play it see the change too.
    via_playlists = targeting.playlist_reach_of_notice(notice.id)
    touched = targeting.kiosks_for(old_targets) | targeting.kiosks_for(new_targets) | targeting.kiosks_for(via_playlists)
    rooms = targeting.rooms_for(old_targets) | targeting.rooms_for(new_targets) | targeting.rooms_for(via_playlists)
    return bump(touched, reason, rooms, notice.id)


def playlist_changed(playlist_id: int, old_targets: dict | None, new_targets: dict | None,
                     reason: str) -> PublishEvent:
    """Record that playlist `playlist_id` now plays on `new_targets` (None: nowhere) instead of `old_targets`."""
    targeting.store_playlist_targets(playlist_id, new_targets)
    touched = targeting.kiosks_for(old_targets) | targeting.kiosks_for(new_targets)
    rooms = targeting.rooms_for(old_targets) | targeting.rooms_for(new_targets)
    return bump(touched, reason, rooms)


def announce(event: PublishEvent, delay_s: float = 0) -> None:
    """Tell the kiosks in each room of `event` that their manifest changed (after the commit).

    With `delay_s`, the message becomes stored work (services/core/due.py), committed here and sent that
    much later by whichever server process is alive then.
    """
    payload = {"version": event.manifest_version, "rooms": sorted(getattr(event, "rooms", [])),
               "spread_s": fetch_spread_s(event.kiosk_count or 0, current_app.config.get("MANIFEST_FETCH_RATE", 150))}
    if delay_s:
        due.schedule(ANNOUNCE_JOB, payload, utcnow() + timedelta(seconds=delay_s))
        db.session.commit()
    else:
        _emit_manifest(payload)


def fetch_spread_s(screens: int, per_second: float) -> float:
    """Return over how many seconds `screens` should spread their manifest fetches (0: fetch at once).

    A change that reaches more screens than the deployment serves manifests in a second would bring
    them all at once; most would wait past their time-out and try again. Spread at the rate the
    servers answer, the last screen has it no later and every request is answered.
    """
    if per_second <= 0 or screens <= per_second:
        return 0.0
    return round(min(screens / per_second, MAX_SPREAD_S), 1)


@due.handler(ANNOUNCE_JOB)
def _emit_manifest(payload: dict) -> None:
    message = {"version": payload["version"]}
    if payload.get("spread_s"):
        message["spread_s"] = payload["spread_s"]
    for room in payload.get("rooms", []):
        socketio.emit("manifest", message, to=room, namespace=KIOSK_NAMESPACE)


def command(kiosk_id: int, name: str) -> None:
    """Send a screen a command ("reload", "identify")."""
    socketio.emit("command", {"name": name}, to=targeting.kiosk_room(kiosk_id), namespace=KIOSK_NAMESPACE)


def close_kiosk(kiosk_id: int) -> None:
    """Empty the screen's own room in every process (through the message queue, when there is one).

    python-socketio can close a room across processes but not disconnect one; the process holding a
    socket that left its kiosk room disconnects it (sockets/kiosk.py).
    """
    socketio.close_room(targeting.kiosk_room(kiosk_id), namespace=KIOSK_NAMESPACE)
