"""/api/v1/notices: writing notices, versioned edits, and the approval workflow."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import or_

from kiosk_server.domain.schedule import VN
from kiosk_server.models import Notice
from kiosk_server.services import notices, sources
from kiosk_server.web.api import schemas
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.workflow_routes import add_record_route, add_workflow_routes, created, newest_first, visible

blp = Blueprint("api_notices", __name__, url_prefix="/api/v1/notices", description="Notices and their approval")


def _with_etag(notice: Notice, status: int = 200):
    body = notices.notice_json(notice, request.url_root)
    return body, status, {"ETag": f'"{notice.version}"'}


@blp.route("")
class Notices(MethodView):
    @require("read")
    @blp.arguments(schemas.NoticeQuerySchema, location="query", unknown=None)
    @blp.response(200, schemas.NoticeSchema(many=True))
    def get(self, args):
        """Notices in the caller's scope, newest first; filter by status, unit, category, day or source."""
        actor = current_api_user()
        query = visible(notices.NOTICE, actor, args)
        if args.get("category"):
            query = query.where(Notice.category == args["category"])
        if args.get("source"):
            query = query.where(Notice.id.in_(sources.notice_ids_of(args["source"])))
        if args.get("on"):
            day_start = datetime.combine(args["on"], time(0), VN)
            day_end = day_start + timedelta(days=1)
            query = query.where(or_(Notice.starts_at.is_(None), Notice.starts_at < day_end),
                                or_(Notice.ends_at.is_(None), Notice.ends_at > day_start))
        return [notices.notice_json(n, request.url_root) for n in newest_first(notices.NOTICE, query, args)]

    @require("edit_content")
    @blp.arguments(schemas.NoticeBodySchema)
    @blp.response(201, schemas.CreatedSchema)
    def post(self, data):
        """Create a draft notice."""
        notice = notices.create_notice(data, current_api_user())
        return created(notice, f"/api/v1/notices/{notice.id}")


add_record_route(blp, notices.NOTICE, schemas.NoticeSchema, schemas.NoticePatchSchema, _with_etag,
                 "The notice (its latest version), status and public URL; `ETag` is the version.")
add_workflow_routes(blp, notices.NOTICE, schemas.NoticeSchema, _with_etag, "notice")
