"""/api/v1/playlists: programmes of notices and media, versioned edits, and the approval workflow
(web/api/workflow_routes.py)."""

from __future__ import annotations

from flask_smorest import Blueprint

from kiosk_server.services.content import playlists
from kiosk_server.services.read_models import playlist_items
from kiosk_server.web.api import schemas
from kiosk_server.web.api.auth import current_api_user
from kiosk_server.web.api.workflow_routes import KindApi, add_routes

blp = Blueprint("api_playlists", __name__, url_prefix="/api/v1/playlists",
                description="Playlists (chương trình phát) and their approval")

add_routes(blp, KindApi(
    kind=playlists.PLAYLIST, noun="playlist", schema=schemas.PlaylistSchema, body_schema=schemas.PlaylistBodySchema,
    patch_schema=schemas.PlaylistPatchSchema,
    query_schema=schemas.PlaylistQuerySchema,
    to_json=lambda playlist: playlist_items.playlist_json(playlist, current_api_user()),
    docs={"list": "Playlists in the caller's scope, newest first; filter by status or unit.",
          "get": "The playlist (its latest version), its items with their length, and its status; `ETag` is the version."},
    notes={"submit": "409 `exclusive_clash` names an exclusive playlist it would overlap on a screen.",
           "approve": "409 `exclusive_clash` as on submit."},
))
