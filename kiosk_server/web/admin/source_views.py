"""Information sources in the officer UI: the list with each source's health, the queue, add, edit, poll now."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import Source, SourceItem
from kiosk_server.services.core.errors import NotFound, ServiceError
from kiosk_server.services.read_models import lookup
from kiosk_server.services.sources import sources
from kiosk_server.web.admin.access import apply_field_errors, permission_required
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.admin.forms import ConfirmForm, SourceForm


def _labels() -> dict:
    return {"kinds": sources.KIND_LABELS, "classes": sources.CLASS_LABELS, "items": sources.ITEM_LABELS}


@permission_required("read")
def source_list():
    rows = db.session.scalars(sources.visible_query(current_user)).all()
    return render_template("admin/sources.html", rows=rows, queue=sources.queue(current_user), labels=_labels(),
                           can_edit=roles.can(current_user.role, "edit_content"),
                           can_send=roles.can(current_user.role, "raise_alert"))


def _form_data(form: SourceForm) -> dict:
    return {"name": form.name.data, "kind": form.kind.data, "url": (form.url.data or "").strip(),
            "unit_code": form.unit_code.data, "poll_seconds": form.poll_seconds.data,
            "bulletin_class": form.bulletin_class.data, "auto_publish": bool(form.auto_publish.data),
            "active": bool(form.active.data)}


@permission_required("edit_content")
def source_new():
    form = SourceForm()
    form.unit_code.choices = unit_choices(current_user)
    if request.method == "GET" and current_user.unit_code:
        form.unit_code.data = current_user.unit_code
    if form.validate_on_submit():
        try:
            source = sources.create_source(_form_data(form), current_user)
        except ServiceError as error:
            apply_field_errors(form, error)
            flash(str(error.message), "error")
        else:
            flash(_("Đã thêm nguồn “%(name)s”; lần lấy tin đầu tiên sẽ chạy ngay.", name=source.name), "success")
            return redirect(url_for("admin.source", source_id=source.id))
    return render_template("admin/source_form.html", form=form, source=None), 422 if form.errors else 200


@permission_required("read")
def source_detail(source_id: int):
    source = lookup.get_visible(Source, source_id, current_user)
    form = SourceForm(obj=source)
    form.unit_code.choices = unit_choices(current_user)
    can_edit = roles.can(current_user.role, "edit_content")
    status = 200
    if request.method == "POST":
        if not can_edit:
            return redirect(url_for("admin.source", source_id=source.id))
        form.kind.data = source.kind  # the kind is fixed once created
        if form.validate_on_submit():
            data = _form_data(form)
            data.pop("kind")
            try:
                sources.update_source(source, data, current_user)
            except ServiceError as error:
                apply_field_errors(form, error)
                flash(str(error.message), "error")
            else:
                flash(_("Đã lưu nguồn; lịch lấy tin bắt đầu lại từ bây giờ."), "success")
                return redirect(url_for("admin.source", source_id=source.id))
        status = 422
    return render_template("admin/source.html", source=source, form=form, items=sources.items_of(source),
                           labels=_labels(), can_edit=can_edit,
                           can_send=roles.can(current_user.role, "raise_alert"),
                           can_trust=roles.can(current_user.role, "approve")), status


@permission_required("edit_content")
def source_poll(source_id: int):
    source = lookup.get_visible(Source, source_id, current_user)
    if ConfirmForm().validate_on_submit():
        try:
            new = sources.poll_now(source, current_user)
        except ServiceError as error:
            flash(str(error.message), "error")
        else:
            source = db.session.get(Source, source_id)
            if source.last_error:
                flash(_("Lấy tin xong, %(n)d tin mới. Lỗi: %(error)s", n=new, error=source.last_error), "error")
            else:
                flash(_("Lấy tin xong: %(n)d tin mới.", n=new), "success")
    return redirect(url_for("admin.source", source_id=source_id))


@permission_required("approve")
def source_trust(source_id: int):
    source = lookup.get_visible(Source, source_id, current_user)
    if ConfirmForm().validate_on_submit():
        try:
            sources.trust(source, current_user)
        except ServiceError as error:
            flash(str(error.message), "error")
        else:
            flash(_("Nguồn “%(name)s” đã được tự phát hành; bạn đứng tên người duyệt cho các tin nguồn mang về.",
                    name=source.name), "success")
    return redirect(url_for("admin.source", source_id=source_id))


def _waiting_item(item_id: int) -> SourceItem:
    item = db.session.get(SourceItem, item_id) if 0 < item_id < 2**62 else None
    if item is None:
        raise NotFound(_("Không tìm thấy tin số %(id)s.", id=item_id))
    lookup.get_visible(Source, item.source_id, current_user)  # the same NotFound outside the officer's scope
    return item


@permission_required("raise_alert")
def source_item_send(item_id: int):
    item = _waiting_item(item_id)
    if ConfirmForm().validate_on_submit():
        try:
            alert = sources.send_waiting(item, current_user)
        except ServiceError as error:
            flash(str(error.message), "error")
        else:
            flash(_("Đã phát cảnh báo “%(headline)s”.", headline=alert.headline), "success")
            return redirect(url_for("admin.alert", alert_id=alert.id))
    return redirect(url_for("admin.sources"))


@permission_required("raise_alert")
def source_item_dismiss(item_id: int):
    item = _waiting_item(item_id)
    if ConfirmForm().validate_on_submit():
        try:
            sources.dismiss(item, current_user)
        except ServiceError as error:
            flash(str(error.message), "error")
        else:
            flash(_("Đã bỏ qua bản tin “%(title)s”.", title=item.title), "success")
    return redirect(url_for("admin.sources"))

