"""GET /media/<sha256>: stored files for kiosks, phones and officers, without sign-in.

The name is the sha256 of the bytes, so it cannot be guessed and never changes meaning: the answer is
cached for a year (`immutable`), revalidated by ETag, and served in byte ranges for video seeking.
In production this view still decides (name, type) and hands the bytes to nginx with X-Accel-Redirect
when MEDIA_ACCEL_PREFIX is set (see deploy/nginx.conf), so nginx streams ranges without Python.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from kiosk_server.extensions import limiter
from kiosk_server.services.content.media import object_mime
from kiosk_server.services.content.media_probe import sniff_mime
from kiosk_server.storage import is_object_name, media_store

media_bp = Blueprint("media", __name__)

ONE_YEAR = 365 * 24 * 3600


@media_bp.route("/media/<sha256>", methods=["GET"])
@limiter.exempt  # immutable and cheap; a commune's kiosks behind one NAT fetch many pages and ranges
def serve(sha256: str):
    if not is_object_name(sha256):
        abort(404)
    path = media_store().path(sha256)
    if not path.is_file():
        abort(404)
    mime = object_mime(sha256)
    if mime is None:  # a poster, thumbnail or PDF page: made by us, typed by its first bytes
        with path.open("rb") as fh:
            mime = sniff_mime(fh.read(16)) or "application/octet-stream"
    accel = current_app.config.get("MEDIA_ACCEL_PREFIX")
    if accel:
        response = Response(mimetype=mime, headers={"X-Accel-Redirect": f"{accel.rstrip('/')}/{sha256[:2]}/{sha256}",
                                                    "ETag": f'"{sha256}"'})
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
        return response
    try:
        response = send_file(path, mimetype=mime, conditional=True, etag=sha256, max_age=ONE_YEAR)
    except RequestedRangeNotSatisfiable:
        # Answer 416 with the length, as RFC 9110 asks, rather than the HTML error page.
        size = path.stat().st_size
        return Response(status=416, headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})
    response.cache_control.immutable = True
    return response
