"""URL map of the public blueprint."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, url_for
from sqlalchemy import text

from kiosk_server.extensions import db
from kiosk_server.web.public import board_views, feedback_views, metrics, notice_views, style_views
from kiosk_server.web.url_rules import add_url_rules

public_bp = Blueprint("public", __name__)
add_url_rules(public_bp, [
    ("/n/<int:notice_id>", "notice", notice_views.notice_page),
    ("/p/<unit_code>", "board", board_views.board_page),
    ("/p/<unit_code>/feed.xml", "board_feed", board_views.board_feed),
    ("/p/<unit_code>/alerts.xml", "alerts_feed", board_views.alerts_feed),
    ("/p/alerts/<int:alert_id>.cap", "alert_cap", board_views.alert_cap),
    ("/q/<code>", "qr", board_views.qr_redirect),
    ("/metrics", "metrics", metrics.metrics),
    ("/levels.css", "levels_css", style_views.levels_css),
    ("/p/<unit_code>/feedback", "feedback_form", feedback_views.feedback_form, ["GET", "POST"]),
    ("/p/feedback", "feedback_lookup", feedback_views.feedback_lookup),
    ("/p/feedback/<code>", "feedback_status", feedback_views.feedback_status),
])


@public_bp.get("/")
def home():
    return redirect(url_for("admin.dashboard"))


@public_bp.get("/healthz")
def healthz():
    """Report whether the database (and Redis, when configured) answer; 503 naming the part that does not."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy"; the reason is for the operator
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        import redis

        # Short timeouts, connect included: a load balancer's probe must get an answer, not hang.
        client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
        try:
            client.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        finally:
            client.close()
    healthy = all(v == "ok" for v in checks.values())
    response = jsonify({"status": "ok" if healthy else "degraded", "checks": checks})
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503
