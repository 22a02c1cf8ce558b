"""A screen's uptime as an officer reads it: online share per day, as a chart and a table, and its outages."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from kiosk_server.domain import reports as rules
from kiosk_server.models import Kiosk
from kiosk_server.models.base import utcnow
from kiosk_server.services.core.errors import ValidationFailed
from kiosk_server.services.read_models import lookup
from kiosk_server.services.reports import report_charts, uptime_reports
from kiosk_server.services.reports import reports as report_service
from kiosk_server.services.screens import uptime
from kiosk_server.web.admin.access import permission_required

DEFAULT_DAYS = 30
MAX_DAYS = 93  # a page of days an officer can read; the API gives any period


@permission_required("read")
def kiosk_uptime(kiosk_id: int):
    kiosk = lookup.get_visible(Kiosk, kiosk_id, current_user)
    now = utcnow()
    today = rules.local_today(now)
    errors: dict[str, str] = {}
    period = rules.Period(today - timedelta(days=DEFAULT_DAYS - 1), today)
    if request.args.get("from") or request.args.get("to"):
        try:
            period = report_service.read_period(request.args.get("from"), request.args.get("to"), now=now)
        except ValidationFailed as error:
            errors = {name: str(message) for name, message in error.fields.items()}
        else:
            if (period.last - period.first).days >= MAX_DAYS:
                errors = {"to": _("Xem tối đa %(days)s ngày một lần; dùng API để lấy kỳ dài hơn.", days=MAX_DAYS)}
                period = rules.Period(today - timedelta(days=DEFAULT_DAYS - 1), today)
    report = uptime_reports.kiosk_report(kiosk, period, now)
    return render_template(
        "admin/kiosk_uptime.html", kiosk=kiosk, report=report, period=period, errors=errors,
        chart=report_charts.uptime_chart(report["days"]) if report["days"] else None,
        from_text=request.args.get("from") or period.first.strftime("%d/%m/%Y"),
        to_text=request.args.get("to") or period.last.strftime("%d/%m/%Y"),
        window_s=int(uptime.WINDOW.total_seconds()), when=_when, span=rules.span_vn, percent=rules.percent_vn,
    ), 422 if errors else 200


def _when(iso: str | None) -> str:
    """Return an ISO instant as dd/mm/yyyy HH:MM:SS in Viet Nam time."""
    return datetime.fromisoformat(iso).astimezone(rules.VN).strftime("%d/%m/%Y %H:%M:%S") if iso else ""
