"""/api/v1/playlists: programmes of notices and media, versioned edits, and the approval workflow."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Playlist
from kiosk_server.services import playlists, scope
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.schemas import (
    CreatedSchema,
    PlaylistBodySchema,
    PlaylistPatchSchema,
    PlaylistQuerySchema,
    PlaylistSchema,
)
from kiosk_server.web.api.workflow_routes import add_record_route, add_workflow_routes, created

blp = Blueprint("api_playlists", __name__, url_prefix="/api/v1/playlists",
                description="Playlists (chương trình phát) and their approval")

PAGE = 100


def _with_etag(playlist: Playlist, status: int = 200):
    return playlists.playlist_json(playlist), status, {"ETag": f'"{playlist.version}"'}


@blp.route("")
class Playlists(MethodView):
    @require("read")
    @blp.arguments(PlaylistQuerySchema, location="query", unknown=None)
    @blp.response(200, PlaylistSchema(many=True))
    def get(self, args):
        """Playlists in the caller's scope, newest first; filter by status or unit."""
        actor = current_api_user()
        query = select(Playlist).where(scope.scope_filter(actor, Playlist.unit_code))
        if args.get("status"):
            query = query.where(Playlist.status == args["status"])
        if args.get("unit"):
            query = query.where(Playlist.unit_code.in_(scope.descendant_codes(args["unit"])))
        query = query.order_by(Playlist.updated_at.desc()).offset((args["page"] - 1) * PAGE).limit(PAGE)
        return [playlists.playlist_json(p) for p in db.session.scalars(query)]

    @require("edit_content")
    @blp.arguments(PlaylistBodySchema)
    @blp.response(201, CreatedSchema)
    def post(self, data):
        """Create a draft playlist."""
        playlist = playlists.create_playlist(data, current_api_user())
        return created(playlist, f"/api/v1/playlists/{playlist.id}")


add_record_route(blp, playlists.PLAYLIST, PlaylistSchema, PlaylistPatchSchema, _with_etag,
                 "The playlist (its latest version), its items with their length, and its status; `ETag` is the version.")
add_workflow_routes(blp, playlists.PLAYLIST, PlaylistSchema, _with_etag, "playlist",
                    {"submit": "409 `exclusive_clash` names an exclusive playlist it would overlap on a screen.",
                     "approve": "409 `exclusive_clash` as on submit."})
