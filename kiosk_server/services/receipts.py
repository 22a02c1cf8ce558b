"""Alert receipts from screens, written in batches.

When an alert goes out, every screen in the area acks within the same second. Writing and announcing
each ack on its own would compete for the CPU with the fan-out that is still under way; instead acks
are queued in the process and written in one transaction every ACK_BATCH_SECONDS, then announced to
the officers' rooms. With ACK_BATCH_SECONDS = 0 (tests) each ack is written at once. An ack counts only
from a screen inside the alert's area, for a public alert: a screen cannot vouch for what it never got.
"""

from __future__ import annotations

from threading import Lock

from flask import Flask, current_app
from sqlalchemy import select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert, AlertAck
from kiosk_server.models.base import utcnow
from kiosk_server.services import scope

_pending: list[tuple[int, int, str]] = []  # (alert_id, kiosk_id, kiosk unit code)
_lock = Lock()
_flusher_started: set[int] = set()


def queue_ack(alert_id, kiosk_id: int, unit_code: str) -> bool:
    """Accept an ack from a screen; return False when it is not an alert id at all."""
    if isinstance(alert_id, bool) or not isinstance(alert_id, int) or alert_id <= 0:
        return False
    app = current_app._get_current_object()
    delay = app.config.get("ACK_BATCH_SECONDS", 0.2)
    with _lock:
        _pending.append((alert_id, kiosk_id, unit_code))
    if not delay:
        flush()
    elif id(app) not in _flusher_started:
        _flusher_started.add(id(app))
        socketio.start_background_task(_flush_forever, app, delay)
    return True


def _flush_forever(app: Flask, delay: float) -> None:
    while True:
        socketio.sleep(delay)
        try:
            with app.app_context():
                flush()
                db.session.remove()
        except Exception:  # a failed batch must not stop receipts; it is logged and the next one goes on
            app.logger.exception("writing alert receipts failed")


def flush() -> int:
    """Write the queued acks (each screen once per alert) and tell officers; return how many were new."""
    with _lock:
        batch = list(dict.fromkeys(_pending))
        _pending.clear()
    if not batch:
        return 0
    alert_ids = {a for a, _, _ in batch}
    areas = {row.id: set(row.unit_codes) for row in db.session.execute(
        select(Alert.id, Alert.unit_codes).where(Alert.id.in_(alert_ids), Alert.status == "Actual"))}
    chains: dict[str, set[str]] = {}
    for _, _, unit in batch:
        if unit not in chains:
            chains[unit] = set(scope.ancestor_codes(unit))
    batch = [(a, k, u) for a, k, u in batch if a in areas and areas[a] & chains[u]]
    known = set(areas)
    seen = {(row.alert_id, row.kiosk_id) for row in db.session.execute(
        select(AlertAck.alert_id, AlertAck.kiosk_id).where(AlertAck.alert_id.in_(known))
    )}
    now = utcnow()
    fresh = [(a, k, u) for a, k, u in batch if a in known and (a, k) not in seen]
    for alert_id, kiosk_id, _ in fresh:
        db.session.add(AlertAck(alert_id=alert_id, kiosk_id=kiosk_id, at=now))
    db.session.commit()
    _announce(fresh, now)
    return len(fresh)


def _announce(fresh: list[tuple[int, int, str]], at) -> None:
    from kiosk_server.services.presence import ADMIN_NAMESPACE, admin_room

    by_room: dict[str, list[dict]] = {}
    for alert_id, kiosk_id, unit_code in fresh:
        entry = {"alert_id": alert_id, "kiosk_id": kiosk_id, "at": at.isoformat()}
        for code in [*scope.ancestor_codes(unit_code), None]:
            by_room.setdefault(admin_room(code), []).append(entry)
    for room, entries in by_room.items():
        for entry in entries:
            socketio.emit("alert_ack", entry, to=room, namespace=ADMIN_NAMESPACE)
