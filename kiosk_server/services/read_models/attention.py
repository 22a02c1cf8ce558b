"""What needs an officer's attention now, in their scope: the home page (Tổng quan).

Screens offline and since when, notices waiting for approval, active alerts with their receipts,
feedback past its due time, and today's plays. Presence is only read here (presence.ONLINE_WINDOW is
the one definition of "online").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from kiosk_server.domain import reports as rules
from kiosk_server.extensions import db
from kiosk_server.models import AlertAck, Kiosk, Notice, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts as alert_service
from kiosk_server.services.core import scope
from kiosk_server.services.feedback import feedback as feedback_service
from kiosk_server.services.reports import reports
from kiosk_server.services.screens import presence

LISTED = 8  # rows of each list on the page; the link beside it leads to the rest


@dataclass
class Attention:
    offline_count: int = 0
    offline: list[dict] = field(default_factory=list)  # {id, name, unit_name, since (None: never connected)}
    awaiting_approval: int = 0
    awaiting: list[Notice] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)  # {alert, acknowledged, screens}
    feedback_overdue: int = 0
    plays_today: reports.PlayTotals | None = None


def _offline_query(actor: User, now: datetime):
    online = Kiosk.connected.is_(True) & (Kiosk.last_seen >= now - presence.ONLINE_WINDOW)
    return select(Kiosk).where(scope.scope_filter(actor, Kiosk.unit_code), Kiosk.revoked_at.is_(None), ~online)


def attention(actor: User, now: datetime | None = None) -> Attention:
    """Return what needs `actor`'s attention now, limited to their scope."""
    now = now or utcnow()
    found = Attention()
    offline = _offline_query(actor, now)
    found.offline_count = db.session.scalar(select(func.count()).select_from(offline.subquery()))
    # Longest silent first; screens never heard from (no last_seen) at the very top.
    for kiosk in db.session.scalars(offline.order_by(Kiosk.last_seen.is_not(None), Kiosk.last_seen, Kiosk.id).limit(LISTED)):
        found.offline.append({"id": kiosk.id, "name": kiosk.name, "unit_name": kiosk.unit.name, "since": kiosk.last_seen})

    waiting = select(Notice).where(scope.scope_filter(actor, Notice.unit_code), Notice.status == "submitted")
    found.awaiting_approval = db.session.scalar(select(func.count()).select_from(waiting.subquery()))
    found.awaiting = list(db.session.scalars(waiting.order_by(Notice.updated_at).limit(LISTED)))

    active = sorted(db.session.scalars(alert_service.visible_query(actor, active_only=True, now=now)),
                    key=lambda a: (-a.level, -a.id))
    counts = dict(db.session.execute(
        select(AlertAck.alert_id, func.count()).where(AlertAck.alert_id.in_([a.id for a in active])).group_by(AlertAck.alert_id)
    ).all()) if active else {}
    found.alerts = [{"alert": a, "acknowledged": counts.get(a.id, 0), "screens": a.kiosk_count} for a in active[:LISTED]]

    found.feedback_overdue = db.session.scalar(
        select(func.count()).select_from(feedback_service.feedback_query(actor, overdue=True, now=now).subquery()))

    start, _end = rules.Period(rules.local_today(now), rules.local_today(now)).bounds()
    found.plays_today = reports.play_totals(reports.scoped_units(actor), start, now)
    return found

