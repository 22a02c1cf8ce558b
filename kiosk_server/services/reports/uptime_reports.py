"""Uptime reports an officer or an upstream system reads: per unit (paged) and per screen, scope-checked.

The record and its arithmetic are services/screens/uptime.py and domain/uptime.py; this module decides who
may read what, like the summary (services/reports/reports.py): a unit or screen outside the reader's scope
answers NotFound, as if it did not exist.
"""

from __future__ import annotations

from datetime import datetime
from math import ceil

from sqlalchemy import func, select

from kiosk_server.domain import reports as report_rules
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, User
from kiosk_server.services.core import scope
from kiosk_server.services.reports.reports import visible_unit
from kiosk_server.services.screens import uptime


def _period_json(period: report_rules.Period) -> dict:
    return {"from": period.first.isoformat(), "to": period.last.isoformat(), "key": period.key or None,
            "label": period.label(), "timezone": "Asia/Ho_Chi_Minh"}


def unit_report(actor: User, unit_code: str | None, period: report_rules.Period, now: datetime,
                page: int = 1, per_page: int = 100) -> dict:
    """Return the uptime of the screens of `unit_code` and below over `period`, one page of screens at a time."""
    unit = visible_unit(actor, unit_code)
    start, end = period.bounds()
    query = uptime.kiosks_of(scope.descendant_codes(unit.code), start, end)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, ceil(total / per_page))
    page = min(page, pages)
    kiosks = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return {
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "period": _period_json(period), "generated_at": now.isoformat(),
        "online_window_seconds": int(uptime.WINDOW.total_seconds()),
        "page": page, "pages": pages, "total": total,
        "kiosks": uptime.uptime_report(kiosks, period, now),
    }


def kiosk_report(kiosk: Kiosk, period: report_rules.Period, now: datetime) -> dict:
    """Return one screen's uptime over `period` (the caller has checked the screen is in scope)."""
    report = uptime.uptime_report([kiosk], period, now)[0]
    report["period"] = _period_json(period)
    return report
