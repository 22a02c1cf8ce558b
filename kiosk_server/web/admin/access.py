"""Guards for officer pages: signed in, holding a permission, sent back only to this site."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from kiosk_server.domain import roles


def permission_required(permission: str):
    """Decorate a view: the signed-in officer must hold `permission`, else 403."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not roles.can(current_user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def apply_field_errors(form, error) -> None:
    """Put a ServiceError's field messages beside the form's fields (the rest under the form)."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*list(field.errors), str(message)]
