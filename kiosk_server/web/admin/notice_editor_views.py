"""The notice editor: write or edit a notice, with a preview of the screen beside the form.

The form posts the API's notice body to `services.notices`; a stale version (412) re-renders the
officer's input with the reason, and field errors appear beside their fields.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kiosk_server import themes
from kiosk_server.domain import durations, sanitise
from kiosk_server.extensions import db
from kiosk_server.models import Notice, Unit
from kiosk_server.services import lookup, notices, preview
from kiosk_server.services.errors import ServiceError, StaleVersion
from kiosk_server.services.notice_input import MAX_TRANSLATIONS
from kiosk_server.services.notices import STATUS_LABELS
from kiosk_server.web.admin import notice_forms as nf
from kiosk_server.web.admin.access import permission_required


@permission_required("edit_content")
def notice_new():
    form = nf.NoticeForm()
    nf.prepare(form, current_user)
    if request.method == "GET":
        form.unit_code.data = current_user.unit_code or (form.unit_code.choices[0].value
                                                         if form.unit_code.choices else "")
        form.category.data = "local"
        return _editor(form, None, nf.hour_rows([]), nf.translation_rows([]))
    return _save(form, None)


@permission_required("edit_content")
def notice_edit(notice_id: int):
    notice = lookup.get_visible(Notice, notice_id, current_user)
    form = nf.NoticeForm()
    nf.prepare(form, current_user)
    if request.method == "GET":
        hours, translations = nf.fill(form, notices.head(notice).content, notice.version)
        nf.keep_selected(form)
        return _editor(form, notice, nf.hour_rows(hours), nf.translation_rows(translations))
    return _save(form, notice)


@permission_required("edit_content")
def notice_preview_manifest(notice_id: int | None = None):
    """The manifest of the form as posted (JSON), for the player previewing it beside the editor.

    The form's CSRF token guards it like any post; nothing is saved.
    """
    notice = lookup.get_visible(Notice, notice_id, current_user) if notice_id is not None else None
    form = nf.NoticeForm()
    nf.prepare(form, current_user)
    if not form.validate():  # only the CSRF token is checked here
        return jsonify(error={"code": "bad_request", "message": _("Phiên làm việc đã hết hạn; hãy tải lại trang.")}), 400
    hours = nf.posted_rows(request.form, "hours", ("start", "end"), 12)
    translations = nf.posted_rows(request.form, "translations", ("language", "title", "body"), MAX_TRANSLATIONS + 1)
    body, _errors = nf.to_body(form, hours, translations)
    theme = request.form.get("preview_theme", "")
    manifest = preview.preview_manifest(body, current_user, notice,
                                        theme=theme if themes.exists(theme) else themes.DEFAULT,
                                        language=request.form.get("preview_language") or None)
    response = jsonify(manifest)
    response.headers["Cache-Control"] = "no-store"
    return response


def _save(form: nf.NoticeForm, notice: Notice | None):
    nf.keep_selected(form)
    hours = nf.posted_rows(request.form, "hours", ("start", "end"), 12)
    translations = nf.posted_rows(request.form, "translations", ("language", "title", "body"), MAX_TRANSLATIONS + 1)
    shown = (nf.hour_rows(hours), nf.translation_rows(translations))
    if not form.validate():  # only the CSRF token is checked here
        return _editor(form, notice, *shown), 400
    if request.form.get("action") == "preview":
        return _editor(form, notice, *shown)
    body, read_errors = nf.to_body(form, hours, translations)
    try:
        if notice is None:
            notice = notices.create_notice(body, current_user)
            flash(_("Đã lưu bản nháp “%(title)s” (phiên bản 1).", title=notice.title), "success")
        else:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else 0
            notices.update_notice(notice, body, expected, current_user)
            flash(_("Đã lưu “%(title)s” thành phiên bản %(version)d.", title=notice.title, version=notice.version),
                  "success")
    except StaleVersion as error:
        db.session.rollback()
        flash(_("%(reason)s Nội dung bạn vừa nhập vẫn còn nguyên bên dưới: hãy xem phiên bản hiện tại, "
                "rồi bấm Lưu lần nữa nếu vẫn muốn thay bằng nội dung của bạn.", reason=str(error.message)), "error")
        form.version.data = str(notice.version)
        return _editor(form, notice, *shown, conflict=True), 412
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _editor(form, notice, *shown, errors={**error.fields, **read_errors}), 422
    if request.form.get("action") == "submit":
        try:
            notices.submit(notice, current_user)
            flash(_("Đã gửi duyệt; cán bộ duyệt tin sẽ xem xét trước khi phát lên màn hình."), "success")
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "error")
    return redirect(url_for("admin.notice", notice_id=notice.id))


def _editor(form: nf.NoticeForm, notice: Notice | None, hours: list[dict], translations: list[dict], *,
            errors: dict | None = None, conflict: bool = False):
    extra = {}
    for name, message in (errors or {}).items():
        field = getattr(form, name, None)
        if name == "version":
            continue  # a number for API clients; the flash says it in words
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), str(message)]
        else:
            extra[name] = str(message)
    media = nf.media_for_picker(form)
    return render_template(
        "admin/notice_form.html", form=form, notice=notice, hours=hours, translations=translations,
        extra_errors=extra, conflict=conflict, preview=_preview(form, media), media=media,
        options=nf.options, option_groups=nf.option_groups, languages=nf.LANGUAGE_SUGGESTIONS, qr_suggestions=nf.QR_SUGGESTIONS,
        priorities=nf.PRIORITY_CHOICES, day_names=nf.DAY_NAMES, durations=durations, status_labels=STATUS_LABELS,
        current_head=notices.head(notice) if conflict and notice else None, preview_themes=_preview_themes(),
    )


def _preview_themes() -> list[dict]:
    """Return the installed themes for the preview's picker, each with the size its screen is drawn at."""
    shown = []
    for name in themes.available():
        theme = themes.load(name)
        wide, high = (int(x) for x in str(theme.get("aspect") or "16:9").split(":"))
        # Drawn at a real screen's size (1920 on the long side): the player sizes type in vh.
        scale = 1920 / max(wide, high)
        width, height = round(wide * scale), round(high * scale)
        shown.append({"name": name, "title": theme.get("title") or name, "width": width, "height": height})
    return shown


def _preview(form: nf.NoticeForm, media: list[dict]) -> dict:
    """Return what the plain preview beside the form shows without scripts, and the durations it states."""
    body_html = sanitise.clean_body(form.body.data or "")
    title = (form.title.data or "").strip()
    text = title + " " + sanitise.plain_text(body_html)
    unit = db.session.get(Unit, form.unit_code.data) if form.unit_code.data else None
    category = next((o["label"] for o in nf.options(form.category) if o["checked"]), "")
    qr_url = (form.qr_url.data or "").strip()
    chosen = [m for m in media if m["chosen"]]
    return {
        "title": title,
        "body_html": body_html,
        "unit": unit.name if unit else "",
        "category": category,
        "priority": form.priority.data or "normal",
        "qr_url": qr_url if sanitise.is_safe_url(qr_url) else "",
        "reading_text": nf.seconds_text(durations.reading_time_s(text)),
        "default_text": nf.seconds_text(durations.default_duration_s(text, [p for m in chosen for p in m["playables"]])),
    }
