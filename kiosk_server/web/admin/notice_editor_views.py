"""The notice editor: write or edit a notice, with a preview of the screen beside the form.

What is the notice's own is described here (its form, translations, media picker and the plain
preview drawn without scripts); editor_views.py runs the flow it shares with the playlist editor.
"""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kiosk_server.domain import durations, sanitise
from kiosk_server.extensions import db
from kiosk_server.models import Notice, Unit, User
from kiosk_server.services.content import notices
from kiosk_server.services.read_models import lookup, preview
from kiosk_server.web.admin import editor_fields as ef
from kiosk_server.web.admin import editor_views
from kiosk_server.web.admin import notice_forms as nf
from kiosk_server.web.admin.access import permission_required


@permission_required("edit_content")
def notice_new():
    return editor_views.new(EDITOR)


@permission_required("edit_content")
def notice_edit(notice_id: int):
    return editor_views.edit(EDITOR, lookup.get_visible(Notice, notice_id, current_user))


@permission_required("edit_content")
def notice_preview_manifest(notice_id: int | None = None):
    """The manifest of the form as posted (JSON), for the player previewing it beside the editor."""
    notice = lookup.get_visible(Notice, notice_id, current_user) if notice_id is not None else None
    return editor_views.preview_manifest(EDITOR, notice)


def _form(user: User) -> nf.NoticeForm:
    form = nf.NoticeForm()
    nf.prepare(form, user)
    return form


def _blank(form: nf.NoticeForm) -> dict[str, list[dict]]:
    form.category.data = "local"
    return {"hours": [], "translations": []}


def _saved(notice: Notice, created: bool) -> str:
    if created:
        return _("Đã lưu bản nháp “%(title)s” (phiên bản 1).", title=notice.title)
    return _("Đã lưu “%(title)s” thành phiên bản %(version)d.", title=notice.title, version=notice.version)


def _manifest(body: dict, notice: Notice | None, theme: str) -> dict:
    return preview.preview_manifest(body, current_user, notice, theme=theme,
                                    language=request.form.get("preview_language") or None)


def _context(form: nf.NoticeForm, notice: Notice | None, rows: dict[str, list[dict]]) -> dict:
    media = nf.media_for_picker(form, current_user)
    return {
        "translations": nf.translation_rows(rows["translations"]), "preview": _preview(form, media), "media": media,
        "languages": nf.LANGUAGE_SUGGESTIONS, "qr_suggestions": nf.QR_SUGGESTIONS, "priorities": nf.PRIORITY_CHOICES,
        "durations": durations,
    }


def _preview(form: nf.NoticeForm, media: list[dict]) -> dict:
    """Return what the plain preview beside the form shows without scripts, and the durations it states."""
    body_html = sanitise.clean_body(form.body.data or "")
    title = (form.title.data or "").strip()
    text = title + " " + sanitise.plain_text(body_html)
    unit = db.session.get(Unit, form.unit_code.data) if form.unit_code.data else None
    category = next((o["label"] for o in ef.options(form.category) if o["checked"]), "")
    qr_url = (form.qr_url.data or "").strip()
    chosen = [m for m in media if m["chosen"]]
    return {
        "title": title,
        "body_html": body_html,
        "unit": unit.name if unit else "",
        "category": category,
        "priority": form.priority.data or "normal",
        "qr_url": qr_url if sanitise.is_safe_url(qr_url) else "",
        "reading_text": ef.seconds_text(durations.reading_time_s(text)),
        "default_text": ef.seconds_text(durations.default_duration_s(text, [p for m in chosen for p in m["playables"]])),
    }


EDITOR = editor_views.Editor(
    template="admin/notice_form.html", record_name="notice", form=_form, blank=_blank,
    fill=lambda form, notice: nf.fill(form, notices.head(notice).content, notice.version), posted=nf.posted,
    # "Xem trước" without scripts draws the page again with the plain preview of what was typed.
    redraw=lambda rows, formdata: formdata.get("action") == "preview",
    to_body=nf.to_body, create=notices.create_notice, update=notices.update_notice, submit=notices.submit,
    head=notices.head, saved=_saved, page=lambda notice: url_for("admin.notice", notice_id=notice.id),
    context=_context, manifest=_manifest,
)
