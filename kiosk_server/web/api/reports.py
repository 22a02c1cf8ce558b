"""/api/v1/reports: figures for upstream reporting (the provincial "Hệ thống thông tin nguồn").

A unit outside the caller's scope answers 404 as if it did not exist; a bad period answers 422
naming the field. The officer page (web/admin/report_views.py) reads the same service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from kiosk_server.domain import reports as rules
from kiosk_server.models.base import utcnow
from kiosk_server.services.reports import posting, report_files, uptime_reports
from kiosk_server.services.reports import reports as report_service
from kiosk_server.web import paging
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.stacks import stacked
from kiosk_server.web.report_downloads import file_response, posting_response

blp = Blueprint(
    "api_reports", __name__, url_prefix="/api/v1/reports",
    description="Figures for six-monthly and yearly reporting. Periods are whole days in Viet Nam time "
    "(Asia/Ho_Chi_Minh), both ends included.",
)


def asked_period(args: dict, now: datetime) -> rules.Period:
    """Return the period a PeriodQuerySchema query names (`period`, else `from` and `to`, else the current half-year)."""
    return report_service.read_period(args.get("from_"), args.get("to"), args.get("period"), now=now)


def period_report(query: type[Schema], schema: type[Schema], bad_query: str) -> Callable:
    """Return the decorator of a GET report of a unit over a period: read access, `query`, 404, 422 on `bad_query`."""
    return stacked(require("read"), blp.arguments(query, location="query", unknown=None), blp.response(200, schema),
                   blp.alt_response(404, description="unknown unit, or outside the caller's scope"),
                   blp.alt_response(422, description=bad_query))


class PeriodQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    unit = fields.String(required=True, metadata={"description": "the unit's official code; it and the units below it count"})
    from_ = fields.String(data_key="from", metadata={
        "description": "first day, yyyy-mm-dd or dd/mm/yyyy; with `to`. Without both: the current six-month period"})
    to = fields.String(metadata={"description": f"last day (included); at most {rules.MAX_YEARS} years after `from`"})
    period = fields.String(metadata={"description": "a default period instead of from/to: `2026-H1`, `2026-H2` or `2026`"})


class SummaryQuerySchema(PeriodQuerySchema):
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
    screens = fields.Dict(metadata={
        "description": "`{installed, seen}`: seen = played or connected in the period, or last heard in it"})
    alerts = fields.Nested(AlertFiguresSchema)
    feedback = fields.Dict(metadata={"description": "`{received, answered, overdue, median_answer_seconds, due_days}`"})
    qr = fields.Dict(metadata={"description": "`{scans, national_links_scans, scans_total, national_links_scans_total, "
                               "per_period: true, counted_since}`: scans in the period (counted per day since "
                               "`counted_since`), and running totals since each code was made"})
    uptime = fields.Dict(metadata={"description": "`{screens, share, median_screen_share, online_hours, outages, "
                                   "screens_below_90}`: screens that ever connected; share = time online / time "
                                   "watched (from each screen's first connection); per screen: /reports/uptime"})


@blp.route("/summary")
class Summary(MethodView):
    @period_report(SummaryQuerySchema, SummarySchema,
                   "a bad date, `to` before `from`, or a period longer than five years")
    def get(self, args):
        """Summary of a unit over a period: notices, plays, screens, alerts with receipts, feedback, QR scans."""
        now = utcnow()
        period = asked_period(args, now)
        summary = report_service.summary(current_api_user(), args["unit"], period, now=now)
        if args["format"] != "json":
            return file_response(summary, args["format"], now)
        return summary


class PostingQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(load_default="json", validate=validate.OneOf(("json", *posting.FORMATS)), metadata={
        "description": "json (default), csv (the per-screen rows, UTF-8 with BOM) or pdf (the biên bản niêm yết: "
                       "A4, Vietnamese, national heading, screens, content hash of each version, chain head)"})


class PostingKioskSchema(Schema):
    kiosk_id = fields.Integer()
    name = fields.String()
    first_shown = fields.String(metadata={"format": "date-time"})
    last_shown = fields.String(metadata={"format": "date-time"})
    plays = fields.Integer(metadata={"description": "each play stored once, however often the screen sent it"})
    seconds_shown = fields.Float()
    chain = fields.Dict(allow_none=True, metadata={
        "description": "`{sealed_through, hash}`: the head of this screen's sealed play-log chain; null before the "
                       "first seal"})
    unsealed_plays = fields.Integer(metadata={"description": "plays of this notice stored after the head's day"})


class PostingVersionSchema(Schema):
    version = fields.Integer(allow_none=True, metadata={"description": "the published version shown; null for "
                                                                       "plays stored before versions were kept"})
    content_hash = fields.String(allow_none=True, metadata={
        "description": "sha256 of the canonical JSON of the revision's title, body and media sha256 list"})
    plays = fields.Integer()
    first_shown = fields.String(metadata={"format": "date-time"})
    last_shown = fields.String(metadata={"format": "date-time"})


class PostingSchema(Schema):
    notice = fields.Dict(metadata={"description": "`{id, title, unit_code, unit_name, status, published_version}`"})
    approved_by = fields.Dict(allow_none=True, metadata={"description": "`{id, name, email}`"})
    approved_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    kiosks = fields.List(fields.Nested(PostingKioskSchema))
    versions = fields.List(fields.Nested(PostingVersionSchema))
    totals = fields.Dict(metadata={"description": "`{screens, plays, seconds_shown, hours_shown}`"})
    chain = fields.List(fields.Dict(), metadata={"description": "`[{kiosk_id, sealed_through, hash}]`"})
    chain_head = fields.String(allow_none=True, metadata={
        "description": "sha256 of the canonical JSON of `chain`: the sealed state this record relies on "
                       "(checked by `flask kiosk verify-log`)"})
    generated_at = fields.String(metadata={"format": "date-time"})


@blp.route("/notices/<int:notice_id>/posting")
class Posting(MethodView):
    @require("read")
    @blp.arguments(PostingQuerySchema, location="query", unknown=None)
    @blp.response(200, PostingSchema)
    @blp.alt_response(404, description="unknown notice, or outside the caller's scope")
    def get(self, args, notice_id):
        """Posting record of a notice (biên bản niêm yết): per screen first and last shown, plays, seconds."""
        now = utcnow()
        user = current_api_user()
        record = posting.posting_record(user, notice_id, now=now)
        if args["format"] != "json":
            return posting_response(record, args["format"], now, user.name or user.email)
        return record


class UptimeQuerySchema(PeriodQuerySchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=paging.MAX_PAGE))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=paging.MAX_PER_PAGE), metadata={
        "description": "screens per page"})


class UptimeDaySchema(Schema):
    date = fields.String(metadata={"format": "date", "description": "a calendar day in Viet Nam time"})
    online_seconds = fields.Float()
    share = fields.Float(allow_none=True, metadata={
        "description": "online / the part of the day the screen was watched (connected once, not revoked, not "
                       "future); null for a day it was not"})


class OutageSchema(Schema):
    start = fields.String(metadata={"format": "date-time"})
    end = fields.String(allow_none=True, metadata={"format": "date-time", "description": "null while ongoing"})
    seconds = fields.Float()
    ongoing = fields.Boolean()


class ScreenUptimeSchema(Schema):
    kiosk_id = fields.Integer()
    name = fields.String()
    unit_code = fields.String()
    first_connected = fields.String(allow_none=True, metadata={
        "format": "date-time", "description": "the screen's first connection ever; null if it never connected"})
    online_seconds = fields.Float()
    watched_seconds = fields.Float(metadata={
        "description": "the part of the period from the screen's first connection to its revocation or now"})
    share = fields.Float(allow_none=True, metadata={"description": "online_seconds / watched_seconds"})
    days = fields.List(fields.Nested(UptimeDaySchema))
    outages = fields.List(fields.Nested(OutageSchema))


class UptimeSchema(Schema):
    unit = fields.Dict(metadata={"description": "`{code, name, level}`"})
    period = fields.Dict(metadata={"description": "`{from, to, key, label, timezone}`"})
    generated_at = fields.String(metadata={"format": "date-time"})
    online_window_seconds = fields.Integer(metadata={
        "description": "a screen unheard for this long counts as offline from its last word on"})
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer(metadata={"description": "screens of the unit and below that existed in the period"})
    kiosks = fields.List(fields.Nested(ScreenUptimeSchema))


@blp.route("/uptime")
class Uptime(MethodView):
    @period_report(UptimeQuerySchema, UptimeSchema,
                   "a bad date, `to` before `from`, a period longer than five years, a bad page")
    def get(self, args):
        """Uptime of each screen of a unit over a period: online share per day (Viet Nam days) and outages."""
        now = utcnow()
        period = asked_period(args, now)
        return uptime_reports.unit_report(current_api_user(), args["unit"], period, now,
                                         page=args["page"], per_page=args["per_page"])
