"""/api/v1/playlists: programmes of notices and media, versioned edits, and the approval workflow."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from kiosk_server.models import Playlist
from kiosk_server.services import playlists
from kiosk_server.web.api import schemas
from kiosk_server.web.api.auth import current_api_user, require
from kiosk_server.web.api.workflow_routes import add_record_route, add_workflow_routes, created, newest_first, visible

blp = Blueprint("api_playlists", __name__, url_prefix="/api/v1/playlists",
                description="Playlists (chương trình phát) and their approval")


def _with_etag(playlist: Playlist, status: int = 200):
    return playlists.playlist_json(playlist), status, {"ETag": f'"{playlist.version}"'}


@blp.route("")
class Playlists(MethodView):
    @require("read")
    @blp.arguments(schemas.PlaylistQuerySchema, location="query", unknown=None)
    @blp.response(200, schemas.PlaylistSchema(many=True))
    def get(self, args):
        """Playlists in the caller's scope, newest first; filter by status or unit (404 unknown, 403 outside your scope)."""
        actor = current_api_user()
        query = visible(playlists.PLAYLIST, actor, args)
        return [playlists.playlist_json(p) for p in newest_first(playlists.PLAYLIST, query, args)]

    @require("edit_content")
    @blp.arguments(schemas.PlaylistBodySchema)
    @blp.response(201, schemas.CreatedSchema)
    def post(self, data):
        """Create a draft playlist."""
        playlist = playlists.create_playlist(data, current_api_user())
        return created(playlist, f"/api/v1/playlists/{playlist.id}")


add_record_route(blp, playlists.PLAYLIST, schemas.PlaylistSchema, schemas.PlaylistPatchSchema, _with_etag,
                 "The playlist (its latest version), its items with their length, and its status; `ETag` is the version.")
add_workflow_routes(blp, playlists.PLAYLIST, schemas.PlaylistSchema, _with_etag, "playlist",
                    {"submit": "409 `exclusive_clash` names an exclusive playlist it would overlap on a screen.",
                     "approve": "409 `exclusive_clash` as on submit."})
