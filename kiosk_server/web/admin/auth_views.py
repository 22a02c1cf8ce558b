"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from kiosk_server.extensions import limiter
from kiosk_server.services.core import users
from kiosk_server.web.admin.forms import LoginForm
from kiosk_server.web.redirects import safe_next


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("admin.dashboard"))


@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        failed = True
    status = 401 if failed else 200
    return render_template("admin/login.html", form=form, failed=failed), status


def logout():
    from kiosk_server.web.admin.forms import ConfirmForm

    if ConfirmForm().validate_on_submit():
        logout_user()
        flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("admin.login"))


def set_language(code: str):
    from kiosk_server.web.admin.forms import ConfirmForm

    response = redirect(_safe_next(request.form.get("next")))
    if code in current_app.config["LANGUAGES"] and ConfirmForm().validate_on_submit():
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
