"""Officers and API tokens in the officer UI."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import ApiToken, User
from kiosk_server.services.core import scope, tokens, users
from kiosk_server.services.core.errors import ServiceError
from kiosk_server.services.read_models import lookup
from kiosk_server.web import paging
from kiosk_server.web.admin.access import apply_field_errors, permission_required
from kiosk_server.web.admin.choices import unit_choices
from kiosk_server.web.admin.forms import ROLE_LABELS, ConfirmForm, TokenForm, UserForm
from kiosk_server.web.admin.row_actions import act_on_visible

PAGE = 50


def _prepare(form: UserForm) -> None:
    form.role.choices = [SelectChoice(k, str(v)) for k, v in ROLE_LABELS.items() if roles.may_grant(current_user.role, k)]
    national = [SelectChoice("", _("Toàn quốc"))] if current_user.unit_code is None else []
    form.unit_code.choices = national + unit_choices(current_user)


def _saved(form: UserForm, save: Callable[[], str]) -> Response | None:
    """Return a redirect to the officers with the success message `save()` returns, or None with its refusal shown."""
    try:
        message = save()
    except ServiceError as error:
        apply_field_errors(form, error)
        flash(str(error.message), "error")
        return None
    flash(message, "success")
    return redirect(url_for("admin.users"))


def _form_page(form: UserForm, person: User | None) -> tuple[str, int]:
    """Return the officer form page, 422 while it holds errors."""
    return render_template("admin/user_form.html", form=form, person=person), 422 if form.errors else 200


@permission_required("manage_users")
def user_list():
    query = select(User).where(scope.scope_filter(current_user, User.unit_code))
    if current_user.unit_code is not None:
        query = query.where(User.unit_code.is_not(None))
    people = paging.paginate(query.order_by(User.email), PAGE)
    return render_template("admin/users.html", people=people.items, role_labels=ROLE_LABELS, page=people.page,
                           pages=people.pages)


@permission_required("manage_users")
def user_new():
    form = UserForm()
    _prepare(form)
    if request.method == "GET" and current_user.unit_code:
        form.unit_code.data = current_user.unit_code
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors = [_("Hãy đặt mật khẩu ban đầu (ít nhất 10 ký tự).")]
        elif done := _saved(form, lambda: _create(form)):
            return done
    return _form_page(form, None)


def _create(form: UserForm) -> str:
    """Return the success message after creating the officer `form` describes."""
    user = users.create_user(form.email.data, form.password.data, form.role.data, form.unit_code.data or None,
                             name=form.name.data or "", actor=current_user)
    return _("Đã tạo người dùng %(email)s.", email=user.email)


@permission_required("manage_users")
def user_edit(user_id: int):
    person = lookup.get_visible(User, user_id, current_user)
    form = UserForm(obj=person)
    _prepare(form)
    if request.method == "GET":
        form.unit_code.data = person.unit_code or ""
    if form.validate_on_submit() and (done := _saved(form, lambda: _update(person, form))):
        return done
    return _form_page(form, person)


def _update(person: User, form: UserForm) -> str:
    """Return the success message after saving `form` onto `person`."""
    users.update_user(person, current_user, role=form.role.data, unit_code=form.unit_code.data or None,
                      active=form.active.data, name=form.name.data or "", password=form.password.data or None)
    if person.id == current_user.id:
        login_user(person)  # a new password ends the other sessions, not this one
    return _("Đã lưu thay đổi cho %(email)s.", email=person.email)


@permission_required("manage_users")
def user_sign_out_everywhere(user_id: int):
    person = lookup.get_visible(User, user_id, current_user)
    if ConfirmForm().validate_on_submit():
        users.end_sessions(person, current_user)
        if person.id == current_user.id:
            login_user(person)  # the officer who pressed the button stays signed in here
        flash(_("Đã đăng xuất %(email)s khỏi mọi phiên làm việc.", email=person.email), "success")
    return redirect(url_for("admin.user_edit", user_id=person.id))


@login_required
def token_list():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _, new_token = tokens.create_token(current_user, form.name.data or "", actor=current_user)
        except ServiceError as error:
            apply_field_errors(form, error)
        else:
            form.name.data = ""
    mine = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template("admin/tokens.html", form=form, tokens=mine, new_token=new_token)


@login_required
def token_revoke(token_id: int):
    return act_on_visible(ApiToken, token_id, tokens.revoke_token,
                          lambda token: _("Đã thu hồi mã %(prefix)s…", prefix=token.prefix), "admin.tokens")
