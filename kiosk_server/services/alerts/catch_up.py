"""Active alerts a screen has not acknowledged, re-sent on its heartbeat.

An alert goes out once, through the message queue; a screen on another process misses it if the queue
(Redis) was away at that moment. Its receipt is the proof it got the alert, so on each heartbeat a
screen covered by an active alert it has not acknowledged is sent that alert again (the player shows
an alert once, whatever how many times it is sent, and acknowledges it).

Cheap for the common case: the active alerts (usually none) and the screens that acknowledged them are
read at most once every ACTIVE_ALERTS_TTL_S per process, so a heartbeat costs no query unless its screen
is inside an active alert's area and not yet known to have acknowledged it (issue 22: with an alert
over 10,000 screens, one query per heartbeat was 400 queries a second). Only that screen costs a
query, which reads the alert afresh (a cancellation since the cached read is never re-sent).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Alert, AlertAck
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts

# How stale this process's list of active alerts may be: an alert raised on another process while the
# queue was away reaches the screens here within this and one heartbeat.
ACTIVE_ALERTS_TTL_S = 5.0


@dataclass(frozen=True, slots=True)
class _Active:
    id: int
    units: frozenset[str]
    effective_at: datetime | None
    expires_at: datetime
    acknowledged: frozenset[int]  # the screens whose receipt was stored when the list was read


def _active_alerts() -> list[_Active]:
    app = current_app._get_current_object()
    cached = app.extensions.get("active_alerts")
    now = time.monotonic()
    if cached is None or now - cached[0] > ACTIVE_ALERTS_TTL_S:
        rows = db.session.execute(
            select(Alert.id, Alert.unit_codes, Alert.effective_at, Alert.expires_at)
            .where(Alert.status.in_(alerts.SHOWN_STATUSES), Alert.cancelled_at.is_(None), Alert.expires_at > utcnow())
        ).all()
        acked: dict[int, set[int]] = {row.id: set() for row in rows}
        if acked:
            for alert_id, kiosk_id in db.session.execute(
                    select(AlertAck.alert_id, AlertAck.kiosk_id).where(AlertAck.alert_id.in_(acked))):
                acked[alert_id].add(kiosk_id)
        cached = (now, [_Active(r.id, frozenset(r.unit_codes), r.effective_at, r.expires_at, frozenset(acked[r.id]))
                        for r in rows])
        app.extensions["active_alerts"] = cached
    return cached[1]


def unacknowledged(kiosk_id: int, unit_chain: tuple[str, ...]) -> list[dict]:
    """Return the payloads of the active alerts covering the screen that it has not acknowledged, most severe first.

    `unit_chain` is the screen's unit and those above it.
    """
    now = utcnow()
    chain = set(unit_chain)
    covering = [a.id for a in _active_alerts() if a.units & chain and kiosk_id not in a.acknowledged
                and a.expires_at > now and (a.effective_at is None or a.effective_at <= now)]
    if not covering:
        return []
    acknowledged = select(AlertAck.alert_id).where(AlertAck.kiosk_id == kiosk_id)
    owed = db.session.scalars(select(Alert).where(Alert.id.in_(covering), Alert.id.not_in(acknowledged))).all()
    return [alerts.kiosk_payload(a) for a in alerts.covering(owed, chain, now)]
