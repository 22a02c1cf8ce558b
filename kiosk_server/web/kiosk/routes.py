"""URL map of the kiosk blueprint."""

from __future__ import annotations

from flask import Blueprint, Response, request

from kiosk_server.extensions import csrf, limiter
from kiosk_server.services.read_models import manifest
from kiosk_server.services.screens import kiosks, presence, targeting
from kiosk_server.web.api.auth import Unauthorized, bearer_token
from kiosk_server.web.kiosk import pairing_views, player_views
from kiosk_server.web.url_rules import add_url_rules

kiosk_bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="../../../themes")
add_url_rules(kiosk_bp, [
    ("", "player", player_views.player_page),
    ("/preview", "preview", player_views.preview_page),
    ("/player/<path:filename>", "player_file", player_views.player_file),
    ("/sw.js", "service_worker", player_views.service_worker),
    ("/theme/<name>/<path:filename>", "theme_file", player_views.theme_file),
    ("/qr.svg", "qr_svg", player_views.qr_svg),
    ("/qr.png", "qr_png", player_views.qr_png),
    ("/pairing", "start_pairing", pairing_views.start_pairing, ["POST"]),
    ("/pairing/status", "pairing_status", pairing_views.pairing_status),
])
csrf.exempt(kiosk_bp)


def current_kiosk():
    """Return the kiosk whose bearer token came with the request, or raise 401."""
    kiosk = kiosks.kiosk_for_token(bearer_token())
    if kiosk is None:
        raise Unauthorized("Màn hình chưa được ghép nối hoặc đã bị thu hồi.")
    return kiosk


@kiosk_bp.get("/manifest")
@limiter.exempt  # a thousand screens reconnecting at once must never be turned away
def get_manifest():
    """The kiosk's manifest as JSON; `ETag` is its version, so an unchanged one costs a 304."""
    kiosk = current_kiosk()
    etag = targeting.etag_for(kiosk)
    if request.if_none_match.contains(etag.strip('"')):
        response = Response(status=304)
    else:
        etag, body = manifest.manifest_bytes(kiosk)
        response = Response(body, mimetype="application/json")
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
    presence.manifest_fetched(kiosk)
    return response
