"""URL map of the public blueprint."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from kiosk_server.web.public import board_views, feedback_views, health, metrics, notice_views, style_views
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
    ("/healthz", "healthz", health.healthz),
    ("/levels.css", "levels_css", style_views.levels_css),
    ("/p/<unit_code>/feedback", "feedback_form", feedback_views.feedback_form, ["GET", "POST"]),
    ("/p/feedback", "feedback_lookup", feedback_views.feedback_lookup),
    ("/p/feedback/<code>", "feedback_status", feedback_views.feedback_status),
])


@public_bp.get("/")
def home():
    return redirect(url_for("admin.dashboard"))
