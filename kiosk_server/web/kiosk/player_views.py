"""The player page, its files, the service worker and the QR images screens show."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.image.svg
from flask import abort, current_app, make_response, render_template, request, send_file, send_from_directory, url_for

from kiosk_server import themes
from kiosk_server.domain import sanitise
from kiosk_server.extensions import limiter
from kiosk_server.services.core import qr_images
from kiosk_server.web import content_security_policy

PLAYER_FILES = {".js": "text/javascript", ".json": "application/json", ".css": "text/css"}
MAX_QR_URL = 600


def player_dir() -> Path:
    return Path(current_app.root_path).parent / "kiosk_client" / "player"


def player_page():
    response = make_response(_screen_html("main.js"))
    response.headers["Cache-Control"] = "no-cache"  # the service worker keeps the offline copy
    return response


def preview_page():
    """The player in preview mode, for the notice editor's frame: fed its manifest by the page framing it."""
    response = make_response(_screen_html("preview.js"))
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors="'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _screen_html(entry: str) -> str:
    """Return the page of the theme asked for in `theme` (the default one when unknown) running `entry`."""
    name = request.args.get("theme") or themes.DEFAULT
    if not themes.exists(name):
        name = themes.DEFAULT
    theme = themes.load(name)
    return render_template(
        f"{name}/screen.html",
        theme=theme,
        theme_css_url=url_for("kiosk.theme_file", name=name, filename="screen.css"),
        player_url=url_for("kiosk.player_file", filename=entry),
        sw_url=url_for("kiosk.service_worker"),
        socketio_url=url_for("vendor.vendored", package="socket.io-client", filename="socket.io.esm.min.js"),
        font_css_urls=[url_for("vendor.vendored", package="be-vietnam-pro", filename=f"{w}.css")
                       for w in (400, 500, 600, 700)],
        emblem_url=url_for("static", filename="admin/emblem.svg"),
    )


def player_file(filename: str):
    if Path(filename).suffix not in PLAYER_FILES:
        abort(404)
    response = send_from_directory(player_dir(), filename, max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # revalidated by ETag: screens pick up new code
    return response


def service_worker():
    response = send_from_directory(player_dir(), "sw.js", max_age=0, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    # The page lives at /kiosk (no trailing slash), outside the default scope of /kiosk/sw.js.
    response.headers["Service-Worker-Allowed"] = "/kiosk"
    return response


def theme_file(name: str, filename: str):
    path = themes.file_path(name, filename)
    if path is None or filename.endswith(".html"):
        abort(404)
    response = send_file(path, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _qr_target() -> str:
    """Return the http(s) URL asked for in `u`, or answer 404 unless this server signed it (`s`)."""
    url = request.args.get("u", "")
    if len(url) > MAX_QR_URL or not sanitise.is_safe_url(url) or not qr_images.is_signed(url, request.args.get("s", "")):
        abort(404)
    return url


def _image(data: bytes, mimetype: str):
    response = make_response(data)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@limiter.limit(lambda: current_app.config["QR_RATE_LIMIT"])
def qr_svg():
    """An SVG QR code of the http(s) URL `u`, sized for scanning off a screen from a metre or two."""
    return _image(_qr_svg_bytes(_qr_target()), "image/svg+xml")


@limiter.limit(lambda: current_app.config["QR_RATE_LIMIT"])
def qr_png():
    """The same QR code as a PNG, to download and print (posters at the office door)."""
    response = _image(_qr_png_bytes(_qr_target()), "image/png")
    response.headers["Content-Disposition"] = 'inline; filename="qr.png"'
    return response


def _qr(url: str, **kwargs) -> qrcode.QRCode:
    # Error correction M survives glare and a smudge; a 4-module quiet zone is what scanners expect.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, **kwargs)
    code.add_data(url)
    code.make(fit=True)
    return code


@lru_cache(maxsize=128)
def _qr_png_bytes(url: str) -> bytes:
    buffer = io.BytesIO()
    _qr(url, box_size=12).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=512)
def _qr_svg_bytes(url: str) -> bytes:
    buffer = io.BytesIO()
    _qr(url, image_factory=qrcode.image.svg.SvgPathFillImage).make_image().save(buffer)
    return buffer.getvalue()
