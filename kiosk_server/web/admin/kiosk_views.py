"""Screens in the officer UI: list, provision with a token, revoke."""

from __future__ import annotations

from flask import abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk
from kiosk_server.services.core import scope
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.screens import kiosks
from kiosk_server.services.screens.presence import status_json as kiosk_state
from kiosk_server.web import paging
from kiosk_server.web.admin.access import apply_field_errors, permission_required
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.admin.forms import KioskForm
from kiosk_server.web.admin.row_actions import act_on_visible

PAGE = 100


@permission_required("read")
def kiosk_list():
    form = KioskForm()
    form.unit_code.choices = unit_choices(current_user)
    new_token = None
    if form.is_submitted() and not roles.can(current_user.role, "manage_kiosks"):
        abort(403)
    if form.validate_on_submit():
        groups = [g.strip() for g in (form.groups.data or "").split(",") if g.strip()]
        try:
            kiosk, new_token = kiosks.provision_kiosk(form.name.data, form.unit_code.data, groups, actor=current_user)
        except ServiceError as error:
            apply_field_errors(form, error)
            flash(str(error.message), "error")
        else:
            flash(_("Đã tạo màn hình “%(name)s”.", name=kiosk.name), "success")
    screens = paging.paginate(
        select(Kiosk).where(scope.scope_filter(current_user, Kiosk.unit_code)).order_by(Kiosk.unit_code, Kiosk.name),
        PAGE)
    return render_template(
        "admin/kiosks.html",
        form=form,
        screens=[(k, kiosk_state(k)) for k in screens.items],
        page=screens.page,
        pages=screens.pages,
        item_titles=_item_titles(),
        new_token=new_token,
    ), 422 if form.errors else 200


@permission_required("manage_kiosks")
def kiosk_revoke(kiosk_id: int):
    return act_on_visible(Kiosk, kiosk_id, kiosks.revoke_kiosk,
                          lambda kiosk: _("Đã thu hồi màn hình “%(name)s”.", name=kiosk.name), "admin.kiosks")


def _item_titles() -> dict[str, str]:
    """Return {"n<id>": title} of published notices in scope, so "now playing" reads as a title."""
    from kiosk_server.models import Notice

    rows = db.session.execute(
        select(Notice.id, Notice.title).where(Notice.published_version.is_not(None),
                                              scope.scope_filter(current_user, Notice.unit_code))
    ).all()
    return {f"n{notice_id}": title for notice_id, title in rows}
