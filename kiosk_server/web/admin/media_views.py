"""The media library in the officer UI: a grid of the unit's files, upload with progress, delete.

The upload form posts multipart with its CSRF token. static/admin/upload.js sends the same form with
XMLHttpRequest to show progress and asks for JSON (the contract's error shape on refusal); without
JavaScript it is a plain form post answered with a redirect, or the page again with the error.
"""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from wtforms import SelectField

from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import Media, User
from kiosk_server.models.media import KINDS
from kiosk_server.services.content import media as media_service
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.read_models import lookup
from kiosk_server.storage import media_store
from kiosk_server.web import accepts_upload, paging
from kiosk_server.web.admin.access import apply_field_errors, permission_required
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.admin.forms import ConfirmForm
from kiosk_server.web.errors import api_error, status_for

PAGE = 48
KIND_LABELS = {"image": _l("Ảnh"), "video": _l("Video"), "pdf": _l("Tài liệu PDF")}


class MediaUploadForm(FlaskForm):
    file = FileField(_l("Tệp ảnh, video hoặc PDF"), validators=[FileRequired(_l("Hãy chọn một tệp để tải lên."))])
    unit_code = SelectField(_l("Đơn vị sở hữu"), choices=[], validate_choice=False)


def _upload_form() -> MediaUploadForm:
    form = MediaUploadForm()
    form.unit_code.choices = unit_choices(current_user)
    if request.method == "GET" and current_user.unit_code:
        form.unit_code.data = current_user.unit_code
    return form


def media_space_warning() -> str | None:
    """Return, for an admin, the warning that the media disk is below MEDIA_FREE_WARN_MB free; else None."""
    threshold_mb = int(current_app.config.get("MEDIA_FREE_WARN_MB") or 0)
    if threshold_mb <= 0 or not roles.can(current_user.role, "manage_users"):
        return None
    free = media_store().free_bytes()
    if free is None or free >= threshold_mb * 1048576:
        return None
    return _("Ổ lưu trữ media chỉ còn trống %(free).1f MB (ngưỡng cảnh báo %(limit)d MB): tệp tải lên không đủ chỗ "
             "sẽ bị từ chối. Hãy xóa tệp cũ không còn dùng hoặc mở rộng ổ đĩa.",
             free=free / 1048576, limit=threshold_mb)


def _filters() -> dict[str, str]:
    """Return the list's filters from the query string: unit (default the officer's) and kind."""
    unit = (request.args.get("unit") or "").strip()[:16]
    if "unit" not in request.args and current_user.unit_code:
        unit = current_user.unit_code
    kind = request.args.get("kind") or ""
    return {"unit": unit, "kind": kind if kind in KINDS else ""}


def _render(form: MediaUploadForm, status: int = 200):
    filters = _filters()
    page = paging.page_arg()
    # A unit filter answers as the API's does: unknown 404, outside the officer's scope 403 with why.
    query = media_service.media_query(current_user, filters["unit"] or None, filters["kind"] or None)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = min(page, max(1, -(-total // PAGE)))
    items = db.session.scalars(query.offset((page - 1) * PAGE).limit(PAGE)).all()
    used = media_service.usage_counts([m.id for m in items])
    uploaders = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_({m.created_by_id for m in items})))
    }
    return render_template(
        "admin/media.html", form=form, confirm=ConfirmForm(), items=items, used=used, uploaders=uploaders,
        filters=filters, unit_options=unit_choices(current_user), kind_labels=KIND_LABELS,
        space_warning=media_space_warning(),
        page=page, pages=max(1, -(-total // PAGE)), total=total,
        max_upload_mb=int(current_app.config["MAX_UPLOAD_MB"]), max_pdf_pages=int(current_app.config["MAX_PDF_PAGES"]),
    ), status


@permission_required("read")
def media_list():
    return _render(_upload_form())


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@accepts_upload
@permission_required("edit_content")
def media_upload():
    form = _upload_form()
    if form.validate_on_submit():
        try:
            media = media_service.ingest_upload(form.file.data, form.unit_code.data or None, current_user)
        except ServiceError as error:
            if _wants_json():
                return api_error(status_for(error), error.message, error.fields, error.code)
            apply_field_errors(form, error)
            flash(str(error.message), "error")
            return _render(form, status_for(error))
        message = _("Đã tải lên “%(name)s”.", name=media.original_name or media.sha256[:12])
        if _wants_json():
            return jsonify({"media": media_service.media_json(media), "message": message}), 201
        flash(message, "success")
        return redirect(url_for("admin.media", unit=media.unit_code))
    if _wants_json():
        fields = {name: " ".join(str(e) for e in errors) for name, errors in form.errors.items()}
        return api_error(422, _("Chưa tải lên được; xem lỗi bên dưới."), fields)
    return _render(form, 422)


@permission_required("edit_content")
def media_delete(media_id: int):
    media = lookup.get_visible(Media, media_id, current_user)
    if ConfirmForm().validate_on_submit():
        name = media.original_name or media.sha256[:12]
        try:
            media_service.delete_media(media, current_user)
        except ServiceError as error:
            flash(str(error.message), "error")
        else:
            flash(_("Đã xóa “%(name)s”.", name=name), "success")
    back = {k: v for k, v in (("unit", request.args.get("unit")), ("kind", request.args.get("kind"))) if v}
    return redirect(url_for("admin.media", **back))
