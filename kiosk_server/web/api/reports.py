"""/api/v1/reports: figures for upstream reporting (the provincial "Hệ thống thông tin nguồn").

A unit outside the caller's scope answers 404 as if it did not exist; a bad period answers 422
naming the field. The officer page (web/admin/report_views.py) reads the same service.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from kiosk_server.domain import reports as rules
from kiosk_server.models.base import utcnow
from kiosk_server.services import report_files
from kiosk_server.services import reports as report_service
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.report_downloads import file_response

blp = Blueprint(
    "api_reports", __name__, url_prefix="/api/v1/reports",
    description="Figures for six-monthly and yearly reporting. Periods are whole days in Viet Nam time "
    "(Asia/Ho_Chi_Minh), both ends included.",
)


class SummaryQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit = fields.String(required=True, metadata={"description": "the unit's official code; it and the units below it count"})
    from_ = fields.String(data_key="from", metadata={
        "description": "first day, yyyy-mm-dd or dd/mm/yyyy; with `to`. Without both: the current six-month period"})
    to = fields.String(metadata={"description": f"last day (included); at most {rules.MAX_YEARS} years after `from`"})
    period = fields.String(metadata={"description": "a default period instead of from/to: `2026-H1`, `2026-H2` or `2026`"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", *report_files.FORMATS)), metadata={
        "description": "json (default), csv (UTF-8 with BOM), xlsx or pdf (A4, Vietnamese)"})


class CountSchema(Schema):
    code = fields.String()
    name = fields.String()
    count = fields.Integer()


class NoticeFiguresSchema(Schema):
    published = fields.Integer(metadata={"description": "notices of the unit and below approved in the period"})
    by_category = fields.List(fields.Nested(CountSchema))
    by_priority = fields.List(fields.Nested(CountSchema))


class AlertItemSchema(Schema):
    id = fields.Integer()
    headline = fields.String()
    hazard = fields.String()
    level = fields.Integer()
    raised_at = fields.String(metadata={"format": "date-time"})
    screens = fields.Integer(metadata={"description": "screens of the unit and below in the alert's area"})
    acknowledged = fields.Integer()
    share = fields.Float(allow_none=True)
    median_ack_seconds = fields.Float(allow_none=True)


class AlertFiguresSchema(Schema):
    raised = fields.Integer()
    screens = fields.Integer()
    acknowledged = fields.Integer()
    share = fields.Float(allow_none=True, metadata={"description": "acknowledged / screens; null without screens"})
    median_ack_seconds = fields.Float(allow_none=True)
    items = fields.List(fields.Nested(AlertItemSchema))


class SummarySchema(Schema):
    unit = fields.Dict(metadata={"description": "`{code, name, level}`"})
    period = fields.Dict(metadata={"description": "`{from, to, key, label, timezone}`"})
    generated_at = fields.String(metadata={"format": "date-time"})
    notices = fields.Nested(NoticeFiguresSchema)
    plays = fields.Dict(metadata={"description": "`{plays, seconds, hours, screens}`: each play stored once"})
    screens = fields.Dict(metadata={"description": "`{installed, seen}`: seen = played in the period or last heard in it"})
    alerts = fields.Nested(AlertFiguresSchema)
    feedback = fields.Dict(metadata={"description": "`{received, answered, overdue, median_answer_seconds, due_days}`"})
    qr = fields.Dict(metadata={"description": "`{scans_total, national_links_scans_total, per_period: false}`: running "
                               "totals since each code was made; scans per period are not stored"})


@blp.route("/summary")
class Summary(MethodView):
    @require("read")
    @blp.arguments(SummaryQuerySchema, location="query", unknown=None)  # None: the schema's RAISE applies
    @blp.response(200, SummarySchema)
    @blp.alt_response(404, description="unknown unit, or outside the caller's scope")
    @blp.alt_response(422, description="a bad date, `to` before `from`, or a period longer than five years")
    def get(self, args):
        """Summary of a unit over a period: notices, plays, screens, alerts with receipts, feedback, QR scans."""
        now = utcnow()
        period = report_service.read_period(args.get("from_"), args.get("to"), args.get("period"), now=now)
        summary = report_service.summary(current_api_user(), args["unit"], period, now=now)
        if args["format"] != "json":
            return file_response(summary, args["format"], now)
        return summary
