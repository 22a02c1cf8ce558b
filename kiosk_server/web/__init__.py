"""The web layer: blueprints for officers, the API, kiosks and the public, plus shared handlers."""

from __future__ import annotations

from flask import Flask, request


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """Return the policy of every HTML page; only the editor's screen preview may be framed (by 'self')."""
    return ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
            f"style-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors {frame_ancestors}")


def register_web(app: Flask) -> None:
    """Attach every blueprint, the error handlers and the request guards to `app`."""
    from kiosk_server.web import errors, template_helpers
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

    @app.before_request
    def _limit_body_size() -> None:
        # Uploads may be large (KIOSK_MAX_UPLOAD_MB); every other body is small, so refuse big
        # ones before reading them instead of buffering megabytes of junk.
        view = app.view_functions.get(request.endpoint or "")
        if not getattr(view, "accepts_upload", False):
            request.max_content_length = app.config["MAX_FORM_KB"] * 1024

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", content_security_policy())
        return response


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


def accepts_upload(view):
    """Mark `view` as taking a large upload, so the small-body limit does not apply to it."""
    view.accepts_upload = True
    return view
