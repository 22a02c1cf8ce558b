"""URL map of the officer UI: every route of the feature on one screen."""

from __future__ import annotations

from flask import Blueprint

from kiosk_server.web.admin import audit_views, auth_views, dashboard_views, kiosk_views, unit_views, user_views

admin_bp = Blueprint("admin", __name__)

admin_bp.add_url_rule("/login", "login", auth_views.login, methods=["GET", "POST"])
admin_bp.add_url_rule("/logout", "logout", auth_views.logout, methods=["POST"])
admin_bp.add_url_rule("/lang/<code>", "set_language", auth_views.set_language, methods=["POST"])

admin_bp.add_url_rule("/admin/", "dashboard", dashboard_views.dashboard)

admin_bp.add_url_rule("/admin/units", "units", unit_views.unit_list)
admin_bp.add_url_rule("/admin/units/<code>", "unit", unit_views.unit_detail)

admin_bp.add_url_rule("/admin/users", "users", user_views.user_list)
admin_bp.add_url_rule("/admin/users/new", "user_new", user_views.user_new, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/users/<int:user_id>", "user_edit", user_views.user_edit, methods=["GET", "POST"])

admin_bp.add_url_rule("/admin/tokens", "tokens", user_views.token_list, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/tokens/<int:token_id>/revoke", "token_revoke", user_views.token_revoke, methods=["POST"])

admin_bp.add_url_rule("/admin/kiosks", "kiosks", kiosk_views.kiosk_list, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/kiosks/<int:kiosk_id>/revoke", "kiosk_revoke", kiosk_views.kiosk_revoke, methods=["POST"])

admin_bp.add_url_rule("/admin/audit", "audit", audit_views.audit_list)
