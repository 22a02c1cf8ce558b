"""Alert receipts from screens, written in batches and confirmed to each screen once stored.

When an alert goes out, every screen in the area acks within the same second. Writing and announcing
each ack on its own would compete for the CPU with the fan-out that is still under way; instead acks
are queued and written in one transaction every ACK_BATCH_SECONDS, then announced to the officers'
rooms. A queue in memory dies with its process, so the screen is answered (the Socket.IO ack of its
`alert_ack`) only after the batch holding its receipt is committed, and the player sends again any
receipt that was never confirmed. A batch whose write fails stays queued and is tried again; the
unique (alert, screen) key makes a receipt sent twice count once. With ACK_BATCH_SECONDS = 0 (tests)
each ack is written at once. An ack counts only from a screen inside the alert's area, for a public
alert: a screen cannot vouch for what it never got.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert, AlertAck
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import loops, metrics, scope
from kiosk_server.services.core.idempotent import insert_new


@dataclass(eq=False)
class _Receipt:
    alert_id: int
    kiosk_id: int
    unit_code: str
    # threading.Event is gevent's own once wsgi.py has monkey-patched, so a waiting handler yields.
    stored: threading.Event = field(default_factory=threading.Event)


# Keyed by (alert, screen): a screen resending a receipt not yet written waits for the queued one.
_pending: dict[tuple[int, int], _Receipt] = {}
_lock = threading.Lock()
_flusher_started: set[int] = set()


def valid_alert_id(alert_id) -> bool:
    return not isinstance(alert_id, bool) and isinstance(alert_id, int) and alert_id > 0


def record_ack(alert_id, kiosk_id: int, unit_code: str) -> bool:
    """Store a screen's receipt; return True once it is committed (or was not one to count).

    Returns False when it could not be stored in time: the screen keeps it and sends it again.
    The caller must hold no database transaction open: this may wait for the next batch.
    """
    if not valid_alert_id(alert_id):
        return True  # nothing to store, and nothing the screen should send again
    app = current_app._get_current_object()
    delay = app.config.get("ACK_BATCH_SECONDS", 0.2)
    if delay and db.session().in_transaction():
        # Waiting with a transaction open pins a pooled connection ("idle in transaction") for up to
        # ACK_CONFIRM_TIMEOUT_S; in an alert's burst of receipts that empties the pool the batch needs.
        raise RuntimeError("record_ack waits for its batch: end the caller's transaction first")
    with _lock:
        # A receipt resent before it was written (the database away, say) waits for the queued one, so a
        # long outage does not grow the queue by a copy per screen and resend.
        receipt = _pending.setdefault((alert_id, kiosk_id), _Receipt(alert_id, kiosk_id, unit_code))
    if not delay:
        try:
            flush()
        except Exception:
            db.session.rollback()
            app.logger.exception("writing an alert receipt failed")
        return receipt.stored.is_set()
    if id(app) not in _flusher_started:
        _flusher_started.add(id(app))
        socketio.start_background_task(_flush_forever, app, delay)
    return receipt.stored.wait(app.config.get("ACK_CONFIRM_TIMEOUT_S", 10))


def _flush_forever(app: Flask, delay: float) -> None:
    # A batch whose write fails stays queued; the next round (after a back-off if the database is away) writes it.
    loops.run_forever(app, delay, flush, "writing alert receipts")


def flush() -> int:
    """Write the queued receipts (each screen once per alert), confirm them and tell officers.

    Returns how many receipts were new. On a failed write the queue is kept for the next round.
    """
    with _lock:
        batch = list(_pending.values())
    if not batch:
        return 0
    alert_ids = {r.alert_id for r in batch}
    rows = db.session.execute(select(Alert.id, Alert.unit_codes, Alert.created_at, Alert.effective_at)
                              .where(Alert.id.in_(alert_ids), Alert.status == "Actual")).all()
    areas = {row.id: set(row.unit_codes) for row in rows}
    # When each alert went out to screens: stored, or later at its effective time.
    went_out = {row.id: max(row.created_at, row.effective_at or row.created_at) for row in rows}
    chains = scope.ancestor_chains({r.unit_code for r in batch})  # a few queries per batch, not per receipt
    counted = {(r.alert_id, r.kiosk_id): r.unit_code for r in batch
               if r.alert_id in areas and areas[r.alert_id].intersection(chains[r.unit_code])}
    now = utcnow()
    # Another process (or this one, for a resent receipt) may have stored the same (alert, screen):
    # the database says which rows were new, so only those are announced.
    new = set(insert_new(AlertAck, [{"alert_id": a, "kiosk_id": k, "at": now} for a, k in counted],
                         ["alert_id", "kiosk_id"]))
    fresh = [(a, k, u) for (a, k), u in counted.items() if (a, k) in new]
    db.session.commit()
    with _lock:
        for receipt in batch:
            _pending.pop((receipt.alert_id, receipt.kiosk_id), None)  # a concurrent flush may have taken it
    for receipt in batch:
        receipt.stored.set()
    for alert_id in {a for a, _k, _u in fresh}:
        metrics.alert_acks_stored(went_out[alert_id], now, sum(1 for a, _k, _u in fresh if a == alert_id))
    _announce(fresh, now, chains)
    return len(fresh)


def _announce(fresh: list[tuple[int, int, str]], at, chains: dict[str, list[str]]) -> None:
    """Tell each officers' room its new receipts in one `alert_acks` event (a list).

    One event per room and batch, not per receipt: 10,000 screens acking one alert would otherwise
    be 40,000 messages through Redis (one per receipt and room up the unit chain), and the batch
    writer would be emitting them while the next receipts wait for it.
    """
    from kiosk_server.services.screens.presence import ADMIN_NAMESPACE, admin_room

    by_room: dict[str, list[dict]] = {}
    stamp = at.isoformat()
    for alert_id, kiosk_id, unit_code in fresh:
        entry = {"alert_id": alert_id, "kiosk_id": kiosk_id, "at": stamp}
        for code in [*chains[unit_code], None]:
            by_room.setdefault(admin_room(code), []).append(entry)
    for room, entries in by_room.items():
        socketio.emit("alert_acks", entries, to=room, namespace=ADMIN_NAMESPACE)
