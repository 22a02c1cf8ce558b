"""/api/v1/feed: the published notices reaching a unit, as JSON, so one instance can feed another."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from kiosk_server.domain.sanitise import plain_text
from kiosk_server.services.content import board, notices
from kiosk_server.services.core import scope
from kiosk_server.web.api.auth import require
from kiosk_server.web.api.schemas import FeedQuerySchema

blp = Blueprint("api_feed", __name__, url_prefix="/api/v1", description="Our feed out: published notices by unit")


@blp.route("/feed")
class Feed(MethodView):
    @require("read")
    @blp.arguments(FeedQuerySchema, location="query", unknown=None)
    def get(self, args):
        """Published notices for `unit` and every unit above it, newest first; `since` keeps the later ones.

        What the board's public page shows, so any token may read it; `next_since` is the value to
        send next time.
        """
        unit = scope.get_unit(args["unit"], field="unit")
        since = args.get("since")
        items = []
        for entry in board.notices_for_unit(unit):
            notice, content = entry["notice"], entry["content"]
            if since is not None and (notice.approved_at is None or notice.approved_at <= since):
                continue
            rules = content["rules"]
            items.append({
                "id": notice.id, "version": notice.published_version, "unit_code": notice.unit_code,
                "title": content["title"], "body": content["body"], "summary": plain_text(content["body"])[:300],
                "priority": content["priority"], "category": content["category"], "language": content["language"],
                "starts_at": rules.get("starts_at"), "ends_at": rules.get("ends_at"),
                "published_at": notice.approved_at.isoformat() if notice.approved_at else None,
                "link": notices.public_url(notice, request.url_root), "qr_url": content.get("qr_url"),
            })
        newest = max((i["published_at"] for i in items if i["published_at"]), default=since.isoformat() if since else None)
        return {"unit": {"code": unit.code, "name": unit.name}, "items": items, "next_since": newest}
