"""API tokens for integrations: shown once, stored hashed, revocable."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kiosk_server.domain import roles
from kiosk_server.domain import secrets as token_rules
from kiosk_server.extensions import db
from kiosk_server.models import ApiToken, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import audit, scope
from kiosk_server.services.core.errors import Forbidden, ValidationFailed


def create_token(user: User, name: str = "", actor: User | str | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the row and the plain token (never retrievable again)."""
    name = (name or "").strip()
    if len(name) > 100:
        raise ValidationFailed(_l("Tên mã truy cập dài quá 100 ký tự."), {"name": _l("Tối đa 100 ký tự.")})
    if not user.active:
        raise ValidationFailed(_l("Người dùng đã bị khóa, không thể cấp mã truy cập."))
    if isinstance(actor, User) and actor.id != user.id:
        _require_manage(actor, user)
    plain = token_rules.new_token(token_rules.API_TOKEN_PREFIX)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=token_rules.token_hash(plain),
        prefix=token_rules.display_prefix(plain),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        actor if actor is not None else user,
        "token.create",
        "api_token",
        token.id,
        unit_code=user.unit_code,
        after={"user": user.email, "name": name, "prefix": token.prefix},
    )
    db.session.commit()
    return token, plain


def revoke_token(token: ApiToken, actor: User) -> ApiToken:
    """Revoke `token` at once; its holder's next call gets 401."""
    if actor.id != token.user_id:
        _require_manage(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            actor, "token.revoke", "api_token", token.id, unit_code=token.user.unit_code,
            after={"user": token.user.email, "prefix": token.prefix},
        )
        db.session.commit()
    return token


def user_for_token(plain: str) -> User | None:
    """Return the active officer holding the unrevoked token `plain`, noting its use; else None."""
    if not plain:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_rules.token_hash(plain)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    # Written at most once a minute: a busy integration must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    return token.user


def _require_manage(actor: User, user: User) -> None:
    if not roles.can(actor.role, "manage_users") or not scope.oversees(actor, user):
        raise Forbidden(_l("Bạn không quản lý người dùng này."))
