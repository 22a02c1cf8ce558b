"""Bearer-token authentication and permission checks for the API."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import lazy_gettext as _l

from kiosk_server.domain import roles
from kiosk_server.models import User
from kiosk_server.services.core import tokens
from kiosk_server.services.core.errors import Forbidden, ServiceError


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


def bearer_token() -> str:
    """Return the token of the `Authorization: Bearer` header, or ''."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def current_api_user() -> User:
    """Return the officer authenticated for this API call."""
    return g.api_user


def require(permission: str):
    """Decorate an API view: a valid bearer token whose officer holds `permission`."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            plain = bearer_token()
            if not plain:
                raise Unauthorized(_l("Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <mã>."))
            user = tokens.user_for_token(plain)
            if user is None:
                raise Unauthorized(_l("Mã truy cập không hợp lệ hoặc đã bị thu hồi."))
            if not roles.can(user.role, permission):
                raise Forbidden(_l("Vai trò của bạn không được thực hiện thao tác này."))
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorate
