"""Officers: creating them, changing their role or scope, and signing in."""

from __future__ import annotations

import functools
from email.utils import parseaddr

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from kiosk_server.domain import roles
from kiosk_server.extensions import db
from kiosk_server.models import User
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import audit, scope
from kiosk_server.services.core.errors import Conflict, Forbidden, ValidationFailed

MIN_PASSWORD = 10


@functools.cache
def _dummy_hash(method: str) -> str:
    """Return a hash to check against when the email is unknown, so that takes as long as a wrong password."""
    return generate_password_hash("not-a-real-password", method=method)


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_email(email: str) -> str:
    """Return the email trimmed and lower-cased, the form it is stored and looked up in."""
    return (email or "").strip().lower()


def _validate(email: str, password: str | None, role: str, name: str) -> dict:
    errors: dict = {}
    _, addr = parseaddr(email)
    if not email or addr != email or "@" not in email or "." not in email.split("@")[-1] or len(email) > 254:
        errors["email"] = _l("Địa chỉ email không hợp lệ.")
    if password is not None and len(password) < MIN_PASSWORD:
        errors["password"] = _l("Mật khẩu cần ít nhất %(n)d ký tự.", n=MIN_PASSWORD)
    if not roles.is_role(role):
        errors["role"] = _l(
            "Vai trò “%(role)s” không có; chọn một trong: %(roles)s.", role=role, roles=", ".join(roles.ROLES)
        )
    if len(name) > 200:
        errors["name"] = _l("Tên dài quá 200 ký tự.")
    return errors


def create_user(
    email: str,
    password: str,
    role: str,
    unit_code: str | None = None,
    name: str = "",
    actor: User | str | None = None,
) -> User:
    """Create an officer; refuse bad fields, a duplicate email, an unknown unit or a grant beyond the actor's."""
    email = normalise_email(email)
    name = (name or "").strip()
    errors = _validate(email, password, role, name)
    if errors:
        raise ValidationFailed(_l("Thông tin người dùng chưa hợp lệ."), errors)
    if unit_code:
        scope.get_unit(unit_code)
    if isinstance(actor, User):
        if not roles.may_grant(actor.role, role):
            raise Forbidden(_l("Bạn không được phép cấp vai trò này."), {"role": _l("Vượt quá quyền của bạn.")})
        if actor.unit_code is not None and not unit_code:
            raise Forbidden(
                _l("Bạn chỉ tạo được người dùng thuộc phạm vi đơn vị của mình."),
                {"unit_code": _l("Hãy chọn một đơn vị trong phạm vi của bạn.")},
            )
        if unit_code:
            scope.require_scope(actor, unit_code)
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise Conflict(
            _l("Đã có người dùng với email %(email)s.", email=email),
            {"email": _l("Email này đã được dùng.")},
            code="duplicate_email",
        )
    user = User(
        email=email,
        name=name,
        password_hash=_hash(password),
        role=role,
        unit_code=unit_code or None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, unit_code=user.unit_code, after=user.to_dict())
    db.session.commit()
    return user


def update_user(
    user: User,
    actor: User,
    *,
    role: str | None = None,
    unit_code: str | None = ...,  # type: ignore[assignment]
    active: bool | None = None,
    name: str | None = None,
    password: str | None = None,
) -> User:
    """Change an officer's role, unit, name, password or active flag within the actor's powers."""
    if not scope.oversees(actor, user):
        raise Forbidden(_l("Người dùng này nằm ngoài phạm vi quản lý của bạn."))
    before = user.to_dict()
    new_role = role if role is not None else user.role
    errors = _validate(user.email, password, new_role, name if name is not None else user.name)
    if errors:
        raise ValidationFailed(_l("Thông tin người dùng chưa hợp lệ."), errors)
    if not roles.may_grant(actor.role, new_role):
        raise Forbidden(_l("Bạn không được phép cấp vai trò này."), {"role": _l("Vượt quá quyền của bạn.")})
    if unit_code is not ...:
        if unit_code:
            scope.get_unit(unit_code)
            scope.require_scope(actor, unit_code)
        elif actor.unit_code is not None:
            raise Forbidden(_l("Bạn không được phép cấp phạm vi toàn quốc."), {"unit_code": _l("Hãy chọn một đơn vị.")})
        user.unit_code = unit_code or None
    if user.id == actor.id and (active is False or roles.rank(new_role) < roles.rank(user.role)):
        raise ValidationFailed(
            _l("Bạn không thể tự khóa hoặc tự hạ quyền của chính mình."), {"role": _l("Hãy nhờ quản trị viên khác.")}
        )
    user.role = new_role
    if name is not None:
        user.name = name.strip()
    if active is not None:
        user.active = active
    if password:
        user.password_hash = _hash(password)
        user.session_generation += 1  # a new password ends the sessions opened with the old one
    audit.record(actor, "user.update", "user", user.id, unit_code=user.unit_code, before=before, after=user.to_dict())
    db.session.commit()
    return user


def end_sessions(user: User, actor: User) -> User:
    """Sign `user` out everywhere: every session and remember cookie they hold stops working."""
    if not scope.oversees(actor, user):
        raise Forbidden(_l("Người dùng này nằm ngoài phạm vi quản lý của bạn."))
    user.session_generation += 1
    audit.record(actor, "user.sign_out_everywhere", "user", user.id, unit_code=user.unit_code)
    db.session.commit()
    return user


def find_by_email(email: str) -> User | None:
    """Return the officer with `email` (any case), or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Return the active officer whose email and password match, recording the sign-in; else None."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    audit.record(user, "user.login", "user", user.id, unit_code=user.unit_code)
    db.session.commit()
    return user
