"""Pairing a screen by its code, editing a screen, and the live status page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from kiosk_server import themes
from kiosk_server.models import Kiosk
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.read_models import lookup
from kiosk_server.services.screens import kiosks, pairing
from kiosk_server.services.screens.presence import status_json
from kiosk_server.web.admin.access import apply_field_errors, permission_required
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.admin.forms import KioskEditForm, PairForm


def _groups(text: str | None) -> list[str]:
    return [g.strip() for g in (text or "").split(",") if g.strip()]


@permission_required("manage_kiosks")
def kiosk_pair():
    form = PairForm()
    form.unit_code.choices = unit_choices(current_user)
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:16]
        if current_user.unit_code:
            form.unit_code.data = current_user.unit_code
    if form.validate_on_submit():
        try:
            kiosk = pairing.pair(form.code.data, form.name.data, form.unit_code.data, _groups(form.groups.data),
                                 current_user)
        except ServiceError as error:
            apply_field_errors(form, error)
            flash(str(error.message), "error")
        else:
            flash(_("Đã ghép nối màn hình “%(name)s”; màn hình sẽ bắt đầu phát trong giây lát.", name=kiosk.name),
                  "success")
            return redirect(url_for("admin.kiosks"))
    return render_template("admin/kiosk_pair.html", form=form), 422 if form.errors else 200


@permission_required("manage_kiosks")
def kiosk_edit(kiosk_id: int):
    kiosk = lookup.get_visible(Kiosk, kiosk_id, current_user)
    form = KioskEditForm(obj=kiosk)
    form.unit_code.choices = unit_choices(current_user)
    form.theme.choices = [SelectChoice(name, themes.load(name).get("title", name)) for name in themes.available()]
    if request.method == "GET":
        form.groups.data = ", ".join(sorted(g.name for g in kiosk.groups))
    if form.validate_on_submit():
        try:
            kiosks.update_kiosk(kiosk, current_user, name=form.name.data, theme=form.theme.data,
                                unit_code=form.unit_code.data, groups=_groups(form.groups.data))
        except ServiceError as error:
            apply_field_errors(form, error)
            flash(str(error.message), "error")
        else:
            flash(_("Đã lưu màn hình “%(name)s”; màn hình sẽ tải lại.", name=kiosk.name), "success")
            return redirect(url_for("admin.kiosks"))
    return render_template("admin/kiosk_edit.html", form=form, kiosk=kiosk, status=status_json(kiosk)), (
        422 if form.errors else 200
    )
