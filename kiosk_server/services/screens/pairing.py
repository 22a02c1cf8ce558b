"""Pairing a screen: it asks for a code, an officer types the code, the screen starts playing."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from kiosk_server.domain import pairing as rules
from kiosk_server.domain import roles
from kiosk_server.domain import secrets as token_rules
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, PairingRequest, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import audit, scope
from kiosk_server.services.core.errors import Forbidden, NotFound
from kiosk_server.services.screens import kiosks


def start(remote_addr: str = "") -> tuple[PairingRequest, str]:
    """Open a pairing request; return it and the token the screen keeps (valid once paired)."""
    now = utcnow()
    # Old requests are useless after they expire; clearing them keeps codes unique and the table small.
    db.session.execute(delete(PairingRequest).where(PairingRequest.expires_at < now - timedelta(hours=1)))
    for _ in range(10):
        code = rules.new_code()
        taken = db.session.scalar(
            select(PairingRequest.id).where(PairingRequest.code == code, PairingRequest.expires_at > now)
        )
        if taken is None:
            break
    plain = token_rules.new_token(token_rules.KIOSK_TOKEN_PREFIX)
    request = PairingRequest(
        code=code,
        token_hash=token_rules.token_hash(plain),
        expires_at=now + timedelta(seconds=rules.LIFETIME_S),
        remote_addr=remote_addr[:64],
    )
    db.session.add(request)
    db.session.commit()
    return request, plain


def status(plain: str) -> bool | None:
    """Return True when the screen holding `plain` has been paired, False while waiting, None if unknown."""
    digest = token_rules.token_hash(plain or "")
    request = db.session.scalar(select(PairingRequest).where(PairingRequest.token_hash == digest))
    if request is None:
        return None
    return request.kiosk_id is not None


def pair(code: str, name: str, unit_code: str, groups: list[str] | None, actor: User) -> Kiosk:
    """Bind the screen showing `code` as a new kiosk of `unit_code`; the screen starts at once."""
    if not roles.can(actor.role, "manage_kiosks"):
        raise Forbidden(_l("Vai trò của bạn không được ghép nối màn hình."))
    normalised = rules.normalise(code)
    now = utcnow()
    request = db.session.scalar(
        select(PairingRequest).where(PairingRequest.code == normalised, PairingRequest.expires_at > now,
                                     PairingRequest.kiosk_id.is_(None))
    )
    if request is None:
        raise NotFound(
            _l("Không có màn hình nào đang hiện mã “%(code)s”. Mã có hiệu lực 15 phút; hãy xem lại mã trên màn hình.",
               code=code[:16]),
            {"code": _l("Mã không đúng hoặc đã hết hạn.")},
            code="unknown_pairing_code",
        )
    name = kiosks.clean_name(name)
    scope.get_unit(unit_code)
    scope.require_scope(actor, unit_code)
    kiosk = Kiosk(name=name, unit_code=unit_code, token_hash=request.token_hash)
    kiosk.groups = kiosks.resolve_groups(unit_code, groups)
    db.session.add(kiosk)
    db.session.flush()
    request.kiosk_id = kiosk.id
    audit.record(actor, "kiosk.pair", "kiosk", kiosk.id, unit_code=unit_code,
                 after={**kiosks.kiosk_dict(kiosk), "code": normalised})
    db.session.commit()
    return kiosk

