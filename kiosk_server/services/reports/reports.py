"""The summary report of a unit over a period: the figures a commune or province sends upward.

Everything counts the unit and every unit below it. Officers see only units in their scope: a unit
outside it answers NotFound, as if it did not exist, like every other lookup. The arithmetic
(medians, shares, period boundaries in Viet Nam time) is `domain.reports`; this module asks the
database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from kiosk_server.domain import feedback as feedback_rules
from kiosk_server.domain import reports as rules
from kiosk_server.extensions import db
from kiosk_server.models import (
    Alert,
    AlertAck,
    AlertUnit,
    Category,
    Feedback,
    Kiosk,
    Notice,
    PublicLink,
    QrCode,
    QrScanDay,
    Unit,
    User,
)
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts as alert_service
from kiosk_server.services.core import scope
from kiosk_server.services.core.errors import NotFound, ValidationFailed
from kiosk_server.services.feedback import feedback as feedback_service
from kiosk_server.services.reports import plays as plays_service
from kiosk_server.services.screens import uptime

PRIORITY_NAMES = {"normal": _l("Thông thường"), "priority": _l("Ưu tiên"), "emergency": _l("Khẩn cấp")}

_PERIOD_MESSAGES = {
    rules.BAD_DATE: _l("Ngày phải viết dạng dd/mm/yyyy (hoặc yyyy-mm-dd)."),
    rules.REVERSED: _l("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."),
    rules.TOO_LONG: _l("Kỳ báo cáo dài tối đa %(years)s năm.", years=rules.MAX_YEARS),
}
_NOTICE_PAGE = re.compile(r"/n/(\d{1,18})$")


@dataclass(frozen=True)
class PlayTotals:
    plays: int
    seconds: float
    screens: int  # screens that played anything


def visible_unit(actor: User, code: str | None, field: str = "unit") -> Unit:
    """Return the unit `code` if it lies in the officer's scope; NotFound otherwise (existence not disclosed)."""
    unit = scope.get_unit(code, field=field)
    if not scope.in_scope(actor, unit.code):
        raise NotFound(
            _l("Không có đơn vị hành chính mã “%(code)s”.", code=code or ""),
            {field: _l("Mã đơn vị không tồn tại.")},
            code="unknown_unit",
        )
    return unit


def default_unit(actor: User) -> Unit | None:
    """Return the unit an officer's report opens on: their own, or for a national officer the first province."""
    if actor.unit_code:
        return db.session.get(Unit, actor.unit_code)
    return db.session.scalar(select(Unit).where(Unit.level == "province").order_by(Unit.name).limit(1))


def read_period(raw_from: str | None, raw_to: str | None, key: str | None = None,
                now: datetime | None = None) -> rules.Period:
    """Return the period the officer asked for: `key` ("2026-H1"), else from/to, else the current half-year.

    Dates are dd/mm/yyyy or yyyy-mm-dd; a bad date, a period that ends before it starts or lasts
    more than five years raise ValidationFailed naming the field.
    """
    if key:
        period = rules.period_by_key(key)
        if period is None:
            raise ValidationFailed(_l("Kỳ báo cáo không hợp lệ."), {"period": _l("Chọn một kỳ trong danh sách.")})
        return period
    if not raw_from and not raw_to:
        return rules.current_period(rules.local_today(now or utcnow()))
    try:
        first = rules.parse_day(raw_from, "from")
        last = rules.parse_day(raw_to, "to")
        return rules.make_period(first, last)
    except rules.PeriodError as error:
        raise ValidationFailed(_l("Kỳ báo cáo chưa hợp lệ."), {error.field: _PERIOD_MESSAGES[error.reason]}) from None


def play_totals(unit_codes: set[str] | None, start: datetime, end: datetime) -> PlayTotals:
    """Return plays, seconds shown and screens playing in [start, end) on screens of `unit_codes` (None: all).

    Read through plays.figures, exact whether the plays are still raw or rolled up; a play resent
    by a screen is stored once (plays.record_played), so it counts once.
    """
    found = plays_service.figures(unit_codes, start, end)
    return PlayTotals(found.plays, found.seconds, len(found.kiosk_ids))


def _notices(codes: set[str], start: datetime, end: datetime) -> dict:
    rows = db.session.execute(
        select(Notice.category, Notice.priority, func.count())
        # A notice reaches screens when approved; one re-approved after an edit counts once, in the
        # period of its latest approval.
        .where(Notice.unit_code.in_(codes), Notice.approved_at >= start, Notice.approved_at < end)
        .group_by(Notice.category, Notice.priority)
    ).all()
    names = dict(db.session.execute(select(Category.code, Category.name)).all())
    by_category: dict[str, int] = {}
    by_priority: dict[str, int] = dict.fromkeys(PRIORITY_NAMES, 0)
    for category, priority, count in rows:
        by_category[category] = by_category.get(category, 0) + count
        by_priority[priority] = by_priority.get(priority, 0) + count
    return {
        "published": sum(by_category.values()),
        "by_category": [{"code": code, "name": names.get(code, code), "count": count}
                        for code, count in sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))],
        "by_priority": [{"code": code, "name": str(PRIORITY_NAMES.get(code, code)), "count": count}
                        for code, count in by_priority.items()],
    }


def _screens(codes: set[str], start: datetime, end: datetime, played: set[int]) -> dict:
    rows = db.session.execute(
        select(Kiosk.id, Kiosk.last_seen).where(
            Kiosk.unit_code.in_(codes), Kiosk.created_at < end,
            or_(Kiosk.revoked_at.is_(None), Kiosk.revoked_at > start))
    ).all()
    seen = {kid for kid, last_seen in rows if kid in played or (last_seen is not None and start <= last_seen < end)}
    return {"installed": len(rows), "seen": len(seen)}


def _played_kiosks(codes: set[str], start: datetime, end: datetime) -> set[int]:
    return set(plays_service.figures(codes, start, end).kiosk_ids)


def _alert_reach(alert: Alert, unit: Unit, codes: set[str]) -> set[str]:
    """Return the units of `codes` (the report's unit and below) that the alert's area covers."""
    area = set(alert.unit_codes or [])
    if area & set(scope.ancestor_codes(unit.code)):
        return codes
    reach: set[str] = set()
    for code in area & codes:
        reach |= scope.descendant_codes(code)
    return reach & codes


def _alerts(unit: Unit, codes: set[str], start: datetime, end: datetime) -> dict:
    near = codes | set(scope.ancestor_codes(unit.code))
    alerts = db.session.scalars(
        select(Alert).where(
            Alert.status.in_(alert_service.SHOWN_STATUSES), Alert.created_at >= start, Alert.created_at < end,
            Alert.id.in_(select(AlertUnit.alert_id).where(AlertUnit.unit_code.in_(near))))
        .order_by(Alert.created_at)
    ).all()
    items = []
    all_delays: list[float] = []
    expected_total = acked_total = 0
    for alert in alerts:
        reach = _alert_reach(alert, unit, codes)
        if not reach:
            continue
        expected = set(db.session.scalars(select(Kiosk.id).where(
            Kiosk.unit_code.in_(reach), Kiosk.created_at <= alert.created_at,
            or_(Kiosk.revoked_at.is_(None), Kiosk.revoked_at > alert.created_at))))
        acks = db.session.execute(
            select(AlertAck.kiosk_id, AlertAck.at).join(Kiosk, Kiosk.id == AlertAck.kiosk_id)
            .where(AlertAck.alert_id == alert.id, Kiosk.unit_code.in_(reach))
        ).all()
        acked = {kid for kid, _at in acks}
        expected |= acked  # a screen added after the alert that still showed it was reached too
        delays = [max(0.0, (at - alert.created_at).total_seconds()) for _kid, at in acks]
        all_delays += delays
        expected_total += len(expected)
        acked_total += len(acked)
        items.append({
            "id": alert.id, "headline": alert.headline, "hazard": alert.hazard, "level": alert.level,
            "raised_at": alert.created_at.isoformat(), "screens": len(expected), "acknowledged": len(acked),
            "share": rules.share(len(acked), len(expected)), "median_ack_seconds": rules.median(delays),
        })
    return {
        "raised": len(items), "screens": expected_total, "acknowledged": acked_total,
        "share": rules.share(acked_total, expected_total), "median_ack_seconds": rules.median(all_delays),
        "items": items,
    }


def _feedback(codes: set[str], start: datetime, end: datetime, now: datetime) -> dict:
    rows = db.session.execute(
        select(Feedback.status, Feedback.created_at, Feedback.answered_at)
        .where(Feedback.unit_code.in_(codes), Feedback.created_at >= start, Feedback.created_at < end)
    ).all()
    due_days = feedback_service.due_days()
    answer_times = [(answered - created).total_seconds() for _s, created, answered in rows if answered is not None]
    return {
        "received": len(rows),
        "answered": len(answer_times),
        "overdue": sum(1 for status, created, _a in rows if feedback_rules.is_overdue(status, created, now, due_days)),
        "median_answer_seconds": rules.median(answer_times),
        "due_days": due_days,
    }


def _qr_by_unit(codes: set[str], rows) -> tuple[int, int]:
    """Return (scans of the unit's own links and notices, scans of national links) from (url, scans) rows."""
    link_urls = set(db.session.scalars(select(PublicLink.url).where(PublicLink.unit_code.in_(codes))))
    national_urls = set(db.session.scalars(select(PublicLink.url).where(PublicLink.unit_code.is_(None))))
    notice_ids = {}
    own = national = 0
    for url, scans in rows:
        if url in link_urls:
            own += scans
        elif url in national_urls:
            national += scans
        elif match := _NOTICE_PAGE.search(url):
            notice_ids[int(match.group(1))] = notice_ids.get(int(match.group(1)), 0) + scans
    if notice_ids:
        mine = set(db.session.scalars(select(Notice.id).where(Notice.id.in_(notice_ids), Notice.unit_code.in_(codes))))
        own += sum(scans for nid, scans in notice_ids.items() if nid in mine)
    return own, national


def _qr(codes: set[str], period: rules.Period) -> dict:
    """Return QR scans behind the unit's own pages and links: in the period (daily counts), and running totals."""
    totals = db.session.execute(select(QrCode.url, QrCode.scans).where(QrCode.scans > 0)).all()
    in_period = db.session.execute(
        select(QrCode.url, func.sum(QrScanDay.scans)).join(QrScanDay, QrScanDay.code == QrCode.code)
        .where(QrScanDay.day >= period.first, QrScanDay.day <= period.last).group_by(QrCode.url)
    ).all()
    own_total, national_total = _qr_by_unit(codes, totals)
    own, national = _qr_by_unit(codes, [(url, int(scans)) for url, scans in in_period])
    since = db.session.scalar(select(func.min(QrScanDay.day)))
    return {"scans": own, "national_links_scans": national, "scans_total": own_total,
            "national_links_scans_total": national_total, "per_period": True,
            "counted_since": since.isoformat() if since else None}


def summary(actor: User, unit_code: str | None, period: rules.Period, now: datetime | None = None) -> dict:
    """Return the summary of `unit_code` and the units below it over `period`, as the API gives it."""
    now = now or utcnow()
    unit = visible_unit(actor, unit_code)
    codes = scope.descendant_codes(unit.code)
    start, end = period.bounds()
    plays = play_totals(codes, start, end)
    uptime_figures, online = uptime.unit_totals(codes, period, now)
    return {
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat(), "key": period.key or None,
                   "label": period.label(), "timezone": "Asia/Ho_Chi_Minh"},
        "generated_at": now.isoformat(),
        "notices": _notices(codes, start, end),
        "plays": {"plays": plays.plays, "seconds": round(plays.seconds, 1), "hours": rules.hours(plays.seconds),
                  "screens": plays.screens},
        # A screen connected in the period was active in it, even if it played nothing and was last heard later.
        "screens": _screens(codes, start, end, _played_kiosks(codes, start, end) | online),
        "alerts": _alerts(unit, codes, start, end),
        "feedback": _feedback(codes, start, end, now),
        "qr": _qr(codes, period),
        "uptime": uptime_figures,
    }


def scoped_units(actor: User) -> set[str] | None:
    """Return the unit codes of the officer's scope, or None for a national officer (every unit)."""
    return None if actor.unit_code is None else scope.descendant_codes(actor.unit_code)

