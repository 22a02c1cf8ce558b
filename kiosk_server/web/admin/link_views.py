"""The QR panel's catalogue of public-service links, per unit, edited by officers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from wtforms import SelectChoice

from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import PublicLink
from kiosk_server.services.content import links
from kiosk_server.services.core import scope
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.web.admin.access import apply_field_errors, permission_required
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.admin.forms import LinkForm
from kiosk_server.web.admin.row_actions import act_on_visible


@permission_required("read")
def link_list():
    form = LinkForm()
    national = [SelectChoice("", _("Toàn quốc"))] if current_user.unit_code is None else []
    form.unit_code.choices = national + unit_choices(current_user)
    if request.method == "GET" and current_user.unit_code:
        form.unit_code.data = current_user.unit_code
    if form.is_submitted() and not current_user_can_edit():
        abort(403)
    if form.validate_on_submit():
        try:
            links.add_link(form.unit_code.data or None, form.url.data, form.caption.data, current_user)
        except ServiceError as error:
            apply_field_errors(form, error)
            flash(str(error.message), "error")
        else:
            flash(_("Đã thêm liên kết; các màn hình sẽ cập nhật ngay."), "success")
            return redirect(url_for("admin.links"))
    visible = scope.scope_filter(current_user, PublicLink.unit_code)
    rows = db.session.scalars(
        select(PublicLink).where(PublicLink.active, or_(visible, PublicLink.unit_code.is_(None)))
        .order_by(PublicLink.unit_code.is_(None).desc(), PublicLink.unit_code, PublicLink.position)
    ).all()
    return render_template("admin/links.html", form=form, rows=rows,
                           can_edit=current_user_can_edit()), 422 if form.errors else 200


def current_user_can_edit() -> bool:
    return roles.can(current_user.role, "edit_content")


@permission_required("edit_content")
def link_remove(link_id: int):
    return act_on_visible(PublicLink, link_id, links.remove_link,
                          lambda link: _("Đã gỡ liên kết “%(caption)s”.", caption=link.caption), "admin.links")
