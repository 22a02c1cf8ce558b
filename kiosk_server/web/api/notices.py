"""/api/v1/notices: writing notices, versioned edits, and the approval workflow (web/api/workflow_routes.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import request
from flask_smorest import Blueprint
from sqlalchemy import Select, or_

from kiosk_server.domain.schedule import VN
from kiosk_server.models import Notice
from kiosk_server.services.content import notices
from kiosk_server.services.sources import sources
from kiosk_server.web.api import schemas
from kiosk_server.web.api.workflow_routes import KindApi, add_routes

blp = Blueprint("api_notices", __name__, url_prefix="/api/v1/notices", description="Notices and their approval")


def _filters(query: Select, args: dict) -> Select:
    """A notices list's own filters: category, the day its window includes, the source it came from."""
    if args.get("category"):
        query = query.where(Notice.category == args["category"])
    if args.get("source"):
        query = query.where(Notice.id.in_(sources.notice_ids_of(args["source"])))
    if args.get("on"):
        day_start = datetime.combine(args["on"], time(0), VN)
        day_end = day_start + timedelta(days=1)
        query = query.where(or_(Notice.starts_at.is_(None), Notice.starts_at < day_end),
                            or_(Notice.ends_at.is_(None), Notice.ends_at > day_start))
    return query


add_routes(blp, KindApi(
    kind=notices.NOTICE, noun="notice", schema=schemas.NoticeSchema, body_schema=schemas.NoticeBodySchema,
    patch_schema=schemas.NoticePatchSchema,
    query_schema=schemas.NoticeQuerySchema, to_json=lambda notice: notices.notice_json(notice, request.url_root),
    filters=_filters,
    docs={"list": "Notices in the caller's scope, newest first; filter by status, unit, category, day or source.",
          "get": "The notice (its latest version), status and public URL; `ETag` is the version."},
))
