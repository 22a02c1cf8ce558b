"""One confirmed action on a row the officer sees, from a small button of a list page (revoke, remove)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from flask_login import current_user

from kiosk_server.services.read_models import lookup
from kiosk_server.web.admin.forms import ConfirmForm


def act_on_visible(model: type, key: int, act: Callable[[Any, Any], Any], done: Callable[[Any], str], back_to: str):
    """Return the redirect to the list `back_to`, after `act(row, officer)` on the `model` row `key`.

    The row must be visible to the officer (else 404, as everywhere); the act runs only when the form's
    CSRF token checks out, and then `done(row)` is flashed.
    """
    row = lookup.get_visible(model, key, current_user)
    if ConfirmForm().validate_on_submit():
        act(row, current_user)
        flash(done(row), "success")
    return redirect(url_for(back_to))
