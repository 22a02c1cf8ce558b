"""Báo cáo: the summary of a unit over a period, as a page with charts and as CSV, XLSX and PDF downloads.

The same service answers the API (web/api/reports.py), so the page, the files and the API agree.
A unit outside the officer's scope answers 404, like every other lookup.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from kiosk_server.domain import reports as rules
from kiosk_server.models.base import utcnow
from kiosk_server.services.core.errors import NotFound, ValidationFailed
from kiosk_server.services.reports import report_charts, report_files
from kiosk_server.services.reports import reports as report_service
from kiosk_server.web.admin.access import permission_required
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.report_downloads import file_response


def _asked(now):
    """Return the unit code and period the query string asks for (the officer's own unit, this half-year by default)."""
    unit = request.args.get("unit") or getattr(report_service.default_unit(current_user), "code", None)
    key = request.args.get("period") or None
    if key == "custom":
        key = None
    period = report_service.read_period(request.args.get("from"), request.args.get("to"), key, now=now)
    return unit, period


@permission_required("read")
def report_page():
    now = utcnow()
    errors: dict = {}
    summary = None
    try:
        unit, period = _asked(now)
    except ValidationFailed as error:
        errors = {name: str(message) for name, message in error.fields.items()}
        unit, period = request.args.get("unit"), rules.current_period(rules.local_today(now))
    if not errors:
        try:
            summary = report_service.summary(current_user, unit, period, now=now)
        except NotFound:
            abort(404)
    picked = request.args.get("period") or (period.key if not request.args.get("from") else "custom") or "custom"
    return render_template(
        "admin/reports.html", summary=summary, errors=errors, units=unit_choices(current_user), unit_code=unit,
        periods=rules.default_periods(rules.local_today(now)), picked=picked,
        from_text=request.args.get("from") or period.first.strftime("%d/%m/%Y"),
        to_text=request.args.get("to") or period.last.strftime("%d/%m/%Y"),
        charts=report_charts.summary_charts(summary) if summary else [],
        rows=report_files.summary_rows(summary) if summary else [], qr_note=report_files.qr_note(),
        query={k: v for k, v in request.args.items() if k in ("unit", "period", "from", "to") and v},
        **(report_files.display_helpers(summary) if summary else {}),
    ), 422 if errors else 200


@permission_required("read")
def report_download(fmt: str):
    if fmt not in report_files.FORMATS:
        abort(404)
    now = utcnow()
    try:
        unit, period = _asked(now)
        summary = report_service.summary(current_user, unit, period, now=now)
    except NotFound:
        abort(404)
    except ValidationFailed:
        abort(422)
    return file_response(summary, fmt, now)

