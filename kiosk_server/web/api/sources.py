"""/api/v1/sources: information sources (CAP and RSS/Atom), their health, and polling one now."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from kiosk_server.models import Source
from kiosk_server.services.read_models import lookup
from kiosk_server.services.sources import sources
from kiosk_server.web import paging
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.schemas import (
    PageQuerySchema,
    SourceBodySchema,
    SourcePatchSchema,
    SourcePolledSchema,
    SourceSchema,
)

blp = Blueprint("api_sources", __name__, url_prefix="/api/v1/sources",
                description="Information sources: upstream CAP warnings and RSS/Atom bulletins")


@blp.route("")
class Sources(MethodView):
    @require("read")
    @blp.arguments(PageQuerySchema, location="query", unknown=None)
    @blp.response(200, SourceSchema(many=True))
    def get(self, args):
        """Sources in the caller's scope, by name, with their health."""
        query = sources.visible_query(current_api_user())
        return [sources.source_json(s) for s in paging.api_page(query, args)]

    @require("edit_content")
    @blp.arguments(SourceBodySchema)
    @blp.response(201, SourceSchema)
    def post(self, data):
        """Add a source; its first poll is due at once. `auto_publish` needs an approver."""
        source = sources.create_source(data, current_api_user())
        return sources.source_json(source), 201, {"Location": f"/api/v1/sources/{source.id}"}


@blp.route("/<int:source_id>")
class SourceById(MethodView):
    @require("read")
    @blp.response(200, SourceSchema)
    def get(self, source_id):
        """The source with `last_polled_at`, `last_error` (in Vietnamese) and `items_taken`."""
        return sources.source_json(lookup.get_visible(Source, source_id, current_api_user()))

    @require("edit_content")
    @blp.arguments(SourcePatchSchema(partial=True))
    @blp.response(200, SourceSchema)
    def patch(self, data, source_id):
        """Change a source (any subset of its fields); its schedule starts afresh."""
        source = lookup.get_visible(Source, source_id, current_api_user())
        return sources.source_json(sources.update_source(source, data, current_api_user()))


@blp.route("/<int:source_id>/poll")
class SourcePoll(MethodView):
    @require("edit_content")
    @blp.response(200, SourcePolledSchema)
    def post(self, source_id):
        """Poll the source now; `new` counts the items it brought (409 while another poll runs)."""
        source = lookup.get_visible(Source, source_id, current_api_user())
        new = sources.poll_now(source, current_api_user())
        return {"new": new, "source": sources.source_json(lookup.get_visible(Source, source_id, current_api_user()))}


@blp.route("/<int:source_id>/trust")
class SourceTrust(MethodView):
    @require("approve")
    @blp.response(200, SourceSchema)
    def post(self, source_id):
        """Let the source publish on its own, the caller standing as the second officer of what it brings.

        The caller must be an approver other than whoever created the source or last set its `url`,
        `unit_code`, `targets` or `bulletin_class` (403 `self_approval`); a later change of any of them drops
        the trust (`trusted_by` becomes null) until an approver trusts it again.
        """
        source = lookup.get_visible(Source, source_id, current_api_user())
        return sources.source_json(sources.trust(source, current_api_user()))
