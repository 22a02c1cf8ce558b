"""REST API /api/v1: bearer tokens, the contract's error shape, OpenAPI generated from the code."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_smorest import Api

from kiosk_server.web.errors import api_error


class KioskApi(Api):
    """flask-smorest, minus its global error handler: web.errors answers for the whole app."""

    def _register_error_handlers(self) -> None:
        return None


def init_api(app: Flask) -> None:
    from kiosk_server.extensions import csrf, limiter
    from kiosk_server.web.api import (
        alerts,
        feed,
        feedback,
        kiosks,
        media,
        notices,
        playlists,
        reports,
        sources,
        units,
        users,
    )

    api = KioskApi(
        app,
        spec_kwargs={
            "info": {
                "description": "Bảng tin điện tử công cộng: notices, kiosks, alerts and feedback. "
                "Every call takes `Authorization: Bearer TOKEN` (see `kiosk create-token`). "
                'Errors are `{"error": {"code", "message", "fields"}}`.'
            },
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    for module in (units, users, kiosks, notices, playlists, media, alerts, feedback, reports, sources, feed):
        api.register_blueprint(module.blp)
        # Bearer tokens are not sent by browsers on their own, so CSRF does not apply to the API.
        csrf.exempt(module.blp)
        # The limiter outlives an app (tests build many): a second registration would count each
        # request twice against the same key.
        if not getattr(module.blp, "rate_limited", False):
            limiter.limit(lambda: current_app.config["API_RATE_LIMIT"])(module.blp)
            module.blp.rate_limited = True

    @app.before_request
    def _api_wants_json():
        if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
            return None
        has_body = (request.content_length or 0) > 0 or "chunked" in request.headers.get("Transfer-Encoding", "")
        view = app.view_functions.get(request.endpoint or "")
        accepted = getattr(view, "accepted_types", ("application/json",))
        if has_body and request.mimetype not in accepted:
            return api_error(
                415,
                f"Kiểu nội dung “{request.mimetype or 'không có'}” không được hỗ trợ; hãy gửi "
                + " hoặc ".join(accepted)
                + ".",
                code="unsupported_media_type",
            )
        return None
