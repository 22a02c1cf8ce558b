"""The web layer: blueprints for officers, the API, kiosks and the public, plus shared handlers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from kiosk_server.web.body_limits import accepts_upload

__all__ = ["accepts_upload", "register_web"]


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """Return the policy of every HTML page; only the editor's screen preview may be framed (by 'self')."""
    return ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
            f"style-src 'self'; script-src 'self'; connect-src 'self'{_own_websocket_origins()}; "
            f"frame-ancestors {frame_ancestors}")


def register_web(app: Flask) -> None:
    """Attach every blueprint, the error handlers and the request guards to `app`."""
    from kiosk_server.web import body_limits, errors, template_helpers
    from kiosk_server.web.admin import admin_bp
    from kiosk_server.web.api import init_api
    from kiosk_server.web.kiosk import kiosk_bp
    from kiosk_server.web.media import media_bp
    from kiosk_server.web.public import public_bp
    from kiosk_server.web.vendor import vendor_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(vendor_bp)
    app.register_blueprint(kiosk_bp)
    app.register_blueprint(media_bp)
    init_api(app)
    errors.register(app)
    from kiosk_server.web.public.metrics import init_metrics

    init_metrics(app)
    _install_fast_paths(app)
    template_helpers.register(app)

    body_limits.install(app)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.is_secure:  # behind nginx, KIOSK_PROXIES lets X-Forwarded-Proto say so
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", content_security_policy())
        return response


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def _own_websocket_origins() -> str:
    """Return " ws(s)://host" for this server (and KIOSK_PUBLIC_URL): the only sockets a page may open.

    'self' covers them in CSP 3 browsers; older Chromium builds on kiosks need them spelled out.
    """
    origins = {("wss" if request.is_secure else "ws", request.host)}
    public = urlsplit(current_app.config.get("PUBLIC_URL") or "")
    if public.netloc:
        origins.add(("wss" if public.scheme == "https" else "ws", public.netloc))
    return "".join(f" {scheme}://{host}" for scheme, host in sorted(origins) if _HOST.match(host))


def _install_fast_paths(app: Flask) -> None:
    from kiosk_server.extensions import db
    from kiosk_server.web.kiosk.fast_path import ManifestNotModified

    def engine():
        with app.app_context():
            return db.engine

    app.wsgi_app = ManifestNotModified(app.wsgi_app, engine)
    proxies = int(app.config.get("PROXIES") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Outermost, so every layer (rate limits, logs, redirects) sees the client's address. Only
        # the headers deploy/nginx.conf sets are trusted: it passes no X-Forwarded-Host, so one sent
        # by a client must never choose the host written into links (see services.public_urls).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
