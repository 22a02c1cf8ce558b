"""Kiosks (screens): provisioning with a token, groups, revocation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kiosk_server.domain import secrets as token_rules
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, KioskGroup, User
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import audit, scope
from kiosk_server.services.core.errors import Forbidden, ServiceError, ValidationFailed

MAX_NAME = 100


def kiosk_dict(kiosk: Kiosk) -> dict:
    """Return the public facts of a kiosk (never its token)."""
    return {
        "id": kiosk.id,
        "name": kiosk.name,
        "unit_code": kiosk.unit_code,
        "groups": sorted(g.name for g in kiosk.groups),
        "revoked": kiosk.revoked,
        "last_seen": kiosk.last_seen.isoformat() if kiosk.last_seen else None,
        "manifest_version": kiosk.manifest_version,
    }


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_l("Hãy đặt tên cho màn hình."), {"name": _l("Không được để trống.")})
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            _l("Tên màn hình dài quá %(n)d ký tự.", n=MAX_NAME), {"name": _l("Tối đa %(n)d ký tự.", n=MAX_NAME)}
        )
    return name


def clean_group_names(names: list[str] | None) -> list[str]:
    """Return the group names trimmed, or raise ValidationFailed for an empty or overlong one."""
    cleaned = []
    for raw in names or []:
        name = (raw or "").strip()
        if not name or len(name) > 100:
            raise ValidationFailed(
                _l("Tên nhóm màn hình phải có từ 1 đến 100 ký tự."), {"groups": _l("Tên nhóm không hợp lệ.")}
            )
        cleaned.append(name)
    return cleaned


def resolve_groups(unit_code: str, names: list[str] | None) -> list[KioskGroup]:
    """Return the groups named `names` in `unit_code`, creating the missing ones (not committed)."""
    groups: list[KioskGroup] = []
    for name in clean_group_names(names):
        group = db.session.scalar(
            select(KioskGroup).where(KioskGroup.unit_code == unit_code, KioskGroup.name == name)
        )
        if group is None:
            group = KioskGroup(name=name, unit_code=unit_code)
            db.session.add(group)
        if group not in groups:
            groups.append(group)
    return groups


def provision_kiosk(
    name: str, unit_code: str, groups: list[str] | None = None, actor: User | str | None = None
) -> tuple[Kiosk, str]:
    """Create a kiosk in `unit_code` with a fresh token; return it and the plain token (shown once)."""
    name = clean_name(name)
    scope.get_unit(unit_code)
    if isinstance(actor, User):
        scope.require_scope(actor, unit_code)
    plain = token_rules.new_token(token_rules.KIOSK_TOKEN_PREFIX)
    kiosk = Kiosk(name=name, unit_code=unit_code, token_hash=token_rules.token_hash(plain))
    kiosk.groups = resolve_groups(unit_code, groups)
    db.session.add(kiosk)
    db.session.flush()
    audit.record(actor, "kiosk.provision", "kiosk", kiosk.id, unit_code=unit_code, after=kiosk_dict(kiosk))
    db.session.commit()
    return kiosk, plain


MAX_BATCH = 5000  # screens provisioned in one go: a whole province of communes, with room to spare


def provision_many(rows: list[dict], actor: User | str | None = None) -> list[tuple[Kiosk, str]]:
    """Create many kiosks at once (`rows` of {name, unit_code, groups?}); all or none.

    Every row is checked before anything is written, and every mistake is reported at once with its
    row number (1-based), so an operator fixes a spreadsheet in one round. Each screen is audited.
    Returns each kiosk with its plain token (shown once).
    """
    if not rows:
        raise ValidationFailed(_l("Danh sách màn hình trống."), {"rows": _l("Cần ít nhất một màn hình.")})
    if len(rows) > MAX_BATCH:
        raise ValidationFailed(_l("Mỗi lần chỉ tạo được tối đa %(n)d màn hình.", n=MAX_BATCH),
                               {"rows": _l("Tối đa %(n)d dòng.", n=MAX_BATCH)})
    errors: dict[str, str] = {}
    forbidden = False
    checked: list[tuple[str, str, list[str]]] = []
    for number, row in enumerate(rows, start=1):
        try:
            name = clean_name(str(row.get("name") or ""))
            unit_code = str(row.get("unit_code") or "").strip()
            scope.get_unit(unit_code)
            if isinstance(actor, User):
                scope.require_scope(actor, unit_code)
            groups = clean_group_names([str(g) for g in row.get("groups") or []])
        except ServiceError as error:
            errors[f"rows.{number}"] = str(error.message)
            forbidden = forbidden or isinstance(error, Forbidden)
            continue
        checked.append((name, unit_code, groups))
    if errors:
        refusal = Forbidden if forbidden else ValidationFailed
        raise refusal(_l("Có %(n)d dòng chưa đúng; chưa tạo màn hình nào.", n=len(errors)), errors,
                      code="out_of_scope" if forbidden else None)
    made: list[tuple[Kiosk, str]] = []
    for name, unit_code, groups in checked:
        plain = token_rules.new_token(token_rules.KIOSK_TOKEN_PREFIX)
        kiosk = Kiosk(name=name, unit_code=unit_code, token_hash=token_rules.token_hash(plain))
        kiosk.groups = resolve_groups(unit_code, groups)
        db.session.add(kiosk)
        made.append((kiosk, plain))
    db.session.flush()
    for kiosk, _ in made:
        audit.record(actor, "kiosk.provision", "kiosk", kiosk.id, unit_code=kiosk.unit_code, after=kiosk_dict(kiosk))
    db.session.commit()
    return made


def revoke_kiosk(kiosk: Kiosk, actor: User) -> Kiosk:
    """Revoke a kiosk's token; the screen goes back to pairing on its next contact."""
    scope.require_scope(actor, kiosk.unit_code)
    if kiosk.revoked_at is None:
        from kiosk_server.services.screens import publish

        before = kiosk_dict(kiosk)
        kiosk.revoked_at = utcnow()
        audit.record(actor, "kiosk.revoke", "kiosk", kiosk.id, unit_code=kiosk.unit_code, before=before,
                     after=kiosk_dict(kiosk))
        db.session.commit()
        # The screen reloads, finds its token refused and shows the pairing code again. Its sockets
        # were let in before: whichever process holds them closes them (sockets/kiosk.py).
        publish.command(kiosk.id, "reload")
        publish.close_kiosk(kiosk.id)
    return kiosk


def kiosk_for_token(plain: str) -> Kiosk | None:
    """Return the unrevoked kiosk holding `plain`, or None."""
    if not plain:
        return None
    kiosk = db.session.scalar(select(Kiosk).where(Kiosk.token_hash == token_rules.token_hash(plain)))
    if kiosk is None or kiosk.revoked_at is not None:
        return None
    return kiosk


def update_kiosk(
    kiosk: Kiosk,
    actor: User,
    *,
    name: str | None = None,
    theme: str | None = None,
    unit_code: str | None = None,
    groups: list[str] | None = None,
) -> Kiosk:
    """Rename, re-theme, move or regroup a screen; its manifest is rebuilt and the screen reloads."""
    from kiosk_server import themes
    from kiosk_server.services.screens import publish, targeting

    scope.require_scope(actor, kiosk.unit_code)
    before = kiosk_dict(kiosk) | {"theme": kiosk.theme}
    rooms_before = targeting.rooms_of(kiosk)
    if name is not None:
        kiosk.name = clean_name(name)
    if theme is not None:
        if not themes.exists(theme):
            raise ValidationFailed(_l("Không có giao diện “%(theme)s”.", theme=theme[:40]),
                                   {"theme": _l("Chọn một giao diện có sẵn.")})
        kiosk.theme = theme
    if unit_code is not None and unit_code != kiosk.unit_code:
        scope.get_unit(unit_code)
        scope.require_scope(actor, unit_code)
        kiosk.unit_code = unit_code
    if groups is not None or unit_code is not None:
        kiosk.groups = resolve_groups(kiosk.unit_code, groups if groups is not None else [g.name for g in kiosk.groups])
    event = publish.bump({kiosk.id}, "kiosk.update", {targeting.kiosk_room(kiosk.id)})
    audit.record(actor, "kiosk.update", "kiosk", kiosk.id, unit_code=kiosk.unit_code, before=before,
                 after=kiosk_dict(kiosk) | {"theme": kiosk.theme})
    db.session.commit()
    # Rooms (unit, groups) and the unit a connection vouches for (sockets/kiosk.py) are fixed when a
    # screen connects: a reload makes it connect again. A player that ignores the reload must not
    # keep the old commune's alerts, so a move or regrouping also closes its connections.
    publish.command(kiosk.id, "reload")
    if targeting.rooms_of(kiosk) != rooms_before:
        publish.close_kiosk(kiosk.id)
    publish.announce(event)
    return kiosk
