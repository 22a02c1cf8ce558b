"""URL map of the officer UI: every route of the feature on one screen."""

from __future__ import annotations

from flask import Blueprint

from kiosk_server.services.content import notices, playlists, workflow
from kiosk_server.web.admin import (
    alert_views,
    audit_views,
    auth_views,
    dashboard_views,
    feedback_views,
    kiosk_import_views,
    kiosk_views,
    link_views,
    media_views,
    notice_editor_views,
    notice_views,
    playlist_editor_views,
    playlist_views,
    posting_views,
    report_views,
    screen_views,
    source_views,
    timeline_views,
    unit_views,
    uptime_views,
    user_views,
    workflow_panel,
)

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
admin_bp.add_url_rule("/admin/users/<int:user_id>/sign-out-everywhere", "user_sign_out_everywhere",
                      user_views.user_sign_out_everywhere, methods=["POST"])

admin_bp.add_url_rule("/admin/tokens", "tokens", user_views.token_list, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/tokens/<int:token_id>/revoke", "token_revoke", user_views.token_revoke, methods=["POST"])

admin_bp.add_url_rule("/admin/kiosks", "kiosks", kiosk_views.kiosk_list, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/kiosks/pair", "kiosk_pair", screen_views.kiosk_pair, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/kiosks/import", "kiosk_import", kiosk_import_views.kiosk_import, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/kiosks/import/sample.csv", "kiosk_import_sample", kiosk_import_views.kiosk_import_sample)
admin_bp.add_url_rule("/admin/kiosks/<int:kiosk_id>/edit", "kiosk_edit", screen_views.kiosk_edit, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/kiosks/<int:kiosk_id>/revoke", "kiosk_revoke", kiosk_views.kiosk_revoke, methods=["POST"])
admin_bp.add_url_rule("/admin/kiosks/<int:kiosk_id>/timeline", "kiosk_timeline", timeline_views.kiosk_timeline)
admin_bp.add_url_rule("/admin/kiosks/<int:kiosk_id>/uptime", "kiosk_uptime", uptime_views.kiosk_uptime)


def _add_approvable_pages(kind: workflow.Approvable, plural: str, pages, editor_pages) -> None:
    """The pages of an approvable kind: its list, one record, the editor (new, edit, and the preview
    manifest of the form as posted, for the player framed beside it), and one POST per workflow step."""
    step = workflow_panel.action_view(kind, pages.PANEL)
    kind = kind.name
    base, one = f"/admin/{plural}", f"/admin/{plural}/<int:{kind}_id>"
    admin_bp.add_url_rule(base, plural, getattr(pages, f"{kind}_list"))
    admin_bp.add_url_rule(one, kind, getattr(pages, f"{kind}_detail"))
    admin_bp.add_url_rule(f"{base}/new", f"{kind}_new", getattr(editor_pages, f"{kind}_new"), methods=["GET", "POST"])
    admin_bp.add_url_rule(f"{one}/edit", f"{kind}_edit", getattr(editor_pages, f"{kind}_edit"), methods=["GET", "POST"])
    preview = getattr(editor_pages, f"{kind}_preview_manifest")
    for rule in (f"{base}/preview-manifest", f"{one}/preview-manifest"):
        admin_bp.add_url_rule(rule, f"{kind}_preview_manifest", preview, methods=["POST"])
    for action in workflow.ACTIONS:
        admin_bp.add_url_rule(f"{one}/{action}", f"{kind}_{action}", step, methods=["POST"], defaults={"action": action})


_add_approvable_pages(notices.NOTICE, "notices", notice_views, notice_editor_views)
admin_bp.add_url_rule("/admin/notices/<int:notice_id>/posting", "notice_posting", posting_views.posting_page)
admin_bp.add_url_rule("/admin/notices/<int:notice_id>/posting.<fmt>", "notice_posting_download",
                      posting_views.posting_download)
admin_bp.add_url_rule("/admin/approvals", "approvals", notice_views.approvals)
# The approval count in the navigation, on every page.
admin_bp.app_context_processor(notice_views.nav_context)
_add_approvable_pages(playlists.PLAYLIST, "playlists", playlist_views, playlist_editor_views)

admin_bp.add_url_rule("/admin/alerts", "alerts", alert_views.alert_list)
admin_bp.add_url_rule("/admin/alerts/new", "alert_new", alert_views.alert_new, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/alerts/<int:alert_id>", "alert", alert_views.alert_detail)
admin_bp.add_url_rule("/admin/alerts/<int:alert_id>/receipts", "alert_receipts", alert_views.alert_receipts)
admin_bp.add_url_rule("/admin/alerts/<int:alert_id>/cancel", "alert_cancel", alert_views.alert_cancel, methods=["POST"])
admin_bp.add_url_rule("/admin/alerts/<int:alert_id>/cap", "alert_cap", alert_views.alert_cap)

admin_bp.add_url_rule("/admin/sources", "sources", source_views.source_list)
admin_bp.add_url_rule("/admin/sources/new", "source_new", source_views.source_new, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/sources/<int:source_id>", "source", source_views.source_detail, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/sources/<int:source_id>/poll", "source_poll", source_views.source_poll, methods=["POST"])
admin_bp.add_url_rule("/admin/sources/<int:source_id>/trust", "source_trust", source_views.source_trust, methods=["POST"])
admin_bp.add_url_rule("/admin/sources/items/<int:item_id>/send", "source_item_send", source_views.source_item_send,
                      methods=["POST"])
admin_bp.add_url_rule("/admin/sources/items/<int:item_id>/dismiss", "source_item_dismiss",
                      source_views.source_item_dismiss, methods=["POST"])

admin_bp.add_url_rule("/admin/media", "media", media_views.media_list)
admin_bp.add_url_rule("/admin/media/upload", "media_upload", media_views.media_upload, methods=["POST"])
admin_bp.add_url_rule("/admin/media/<int:media_id>/delete", "media_delete", media_views.media_delete, methods=["POST"])

admin_bp.add_url_rule("/admin/links", "links", link_views.link_list, methods=["GET", "POST"])
admin_bp.add_url_rule("/admin/links/<int:link_id>/remove", "link_remove", link_views.link_remove, methods=["POST"])

admin_bp.add_url_rule("/admin/feedback", "feedback_list", feedback_views.feedback_list)
admin_bp.add_url_rule("/admin/feedback/<int:feedback_id>", "feedback", feedback_views.feedback_detail)
admin_bp.add_url_rule("/admin/feedback/<int:feedback_id>/reply", "feedback_reply", feedback_views.feedback_reply,
                      methods=["POST"])
admin_bp.add_url_rule("/admin/feedback/<int:feedback_id>/status", "feedback_status", feedback_views.feedback_status,
                      methods=["POST"])
admin_bp.add_url_rule("/admin/feedback/<int:feedback_id>/erase", "feedback_erase", feedback_views.feedback_erase,
                      methods=["POST"])
admin_bp.add_url_rule("/admin/feedback/<int:feedback_id>/photo", "feedback_photo", feedback_views.feedback_photo)
# The count of new and overdue feedback in the navigation, on every page.
admin_bp.app_context_processor(feedback_views.nav_context)

admin_bp.add_url_rule("/admin/audit", "audit", audit_views.audit_list)

admin_bp.add_url_rule("/admin/reports", "reports", report_views.report_page)
admin_bp.add_url_rule("/admin/reports/summary.<fmt>", "report_download", report_views.report_download)
