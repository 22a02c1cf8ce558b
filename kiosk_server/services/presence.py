"""Live state of screens: connected or not, what they play, how far behind; pushed to officers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from kiosk_server.domain import targeting
from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk, PlayRecord
from kiosk_server.models.base import utcnow
from kiosk_server.services import scope
from kiosk_server.services.kiosks import kiosk_dict

ADMIN_NAMESPACE = "/admin"
# Heartbeats come every 30 s; a screen unheard of for three of them is offline even if its server
# process died without noticing the disconnect.
ONLINE_WINDOW = timedelta(seconds=90)
MAX_PLAYED_BATCH = 500


def admin_room(unit_code: str | None) -> str:
    """Return the room of officers whose scope is `unit_code` (None: national officers)."""
    return f"admin:{unit_code or '*'}"


def is_online(kiosk: Kiosk, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return bool(kiosk.connected and kiosk.last_seen and now - kiosk.last_seen < ONLINE_WINDOW and not kiosk.revoked)


def status_json(kiosk: Kiosk) -> dict:
    """Return what an officer sees of a screen, as the API and the live dashboard give it."""
    return {
        **kiosk_dict(kiosk),
        "theme": kiosk.theme,
        "online": is_online(kiosk),
        "reported_version": kiosk.reported_version,
        "behind": kiosk.reported_version is not None and kiosk.reported_version < kiosk.manifest_version,
        "current_item": kiosk.current_item,
        "uptime_s": kiosk.uptime_s,
    }


def manifest_fetched(kiosk: Kiosk) -> None:
    """Note that the kiosk fetched its manifest; written at most every SEEN_EVERY (see web.kiosk.fast_path)."""
    now = utcnow()
    if targeting.seen_is_due(kiosk.last_seen, now):
        kiosk.last_seen = now
        db.session.commit()


def broadcast(kiosk: Kiosk) -> None:
    """Send the screen's status to every officer whose scope contains it."""
    payload = status_json(kiosk)
    rooms = [admin_room(code) for code in scope.ancestor_codes(kiosk.unit_code)] + [admin_room(None)]
    socketio.emit("kiosk_status", payload, to=rooms, namespace=ADMIN_NAMESPACE)


def connected(kiosk: Kiosk, version: int | None = None) -> None:
    kiosk.connected = True
    kiosk.last_seen = utcnow()
    if version is not None:
        kiosk.reported_version = version
    db.session.commit()
    broadcast(kiosk)


def heartbeat(kiosk: Kiosk, version, current_item, uptime_s) -> None:
    kiosk.connected = True
    kiosk.last_seen = utcnow()
    if isinstance(version, int) and not isinstance(version, bool):
        kiosk.reported_version = version
    kiosk.current_item = current_item[:32] if isinstance(current_item, str) else None
    if isinstance(uptime_s, (int, float)) and not isinstance(uptime_s, bool) and 0 <= uptime_s < 10**9:
        kiosk.uptime_s = int(uptime_s)
    db.session.commit()
    broadcast(kiosk)


def disconnected(kiosk_id: int) -> None:
    db.session.execute(update(Kiosk).where(Kiosk.id == kiosk_id).values(connected=False, last_seen=utcnow()))
    db.session.commit()
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is not None:
        broadcast(kiosk)


def record_played(kiosk: Kiosk, entries) -> int:
    """Store what the screen says it played; malformed entries are dropped, never trusted. Return the count."""
    if not isinstance(entries, list):
        return 0
    stored = 0
    seen: set = set()
    for entry in entries[:MAX_PLAYED_BATCH]:
        if not isinstance(entry, dict):
            continue
        item, started, duration = entry.get("item"), entry.get("started_at"), entry.get("duration_s")
        if not isinstance(item, str) or not isinstance(started, str) or isinstance(duration, bool) or not isinstance(
            duration, (int, float)
        ) or not 0 <= duration <= 86_400:
            continue
        try:
            started_at = datetime.fromisoformat(started.replace("Z", "+00:00"))
        except ValueError:
            continue
        if started_at.tzinfo is None:
            continue
        notice_id = int(item[1:]) if item.startswith("n") and item[1:].isdigit() else None
        # The player resends a batch whose acknowledgement was lost: each play is stored once.
        if (item[:32], started_at) in seen or db.session.scalar(select(PlayRecord.id).where(
                PlayRecord.kiosk_id == kiosk.id, PlayRecord.item == item[:32], PlayRecord.started_at == started_at)):
            continue
        seen.add((item[:32], started_at))
        db.session.add(PlayRecord(kiosk_id=kiosk.id, item=item[:32], notice_id=notice_id, started_at=started_at,
                                  duration_s=float(duration)))
        stored += 1
    db.session.commit()
    return stored
