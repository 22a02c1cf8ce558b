"""Which units an officer may see and act on: their own unit and every unit below it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, KioskGroup, Unit, User
from kiosk_server.services.core.errors import Forbidden, NotFound


def descendant_codes(code: str) -> set[str]:
    """Return `code` and the codes of every unit below it."""
    found = {code}
    frontier = [code]
    while frontier:
        rows = db.session.scalars(select(Unit.code).where(Unit.parent_code.in_(frontier))).all()
        frontier = [c for c in rows if c not in found]
        found.update(frontier)
    return found


def ancestor_codes(code: str) -> list[str]:
    """Return `code` and the codes above it, nearest first."""
    return ancestor_chains([code])[code]


def ancestor_chains(codes) -> dict[str, list[str]]:
    """Return `ancestor_codes` for many units at once: one query per level of the tree, not per unit."""
    parent: dict[str, str | None] = {}
    wanted = set(codes)
    while wanted:
        rows = db.session.execute(select(Unit.code, Unit.parent_code).where(Unit.code.in_(wanted))).all()
        parent.update({code: up for code, up in rows})
        parent.update({code: None for code in wanted - {code for code, _ in rows}})
        wanted = {up for _, up in rows if up and up not in parent}
    chains: dict[str, list[str]] = {}
    for code in codes:
        chain: list[str] = []
        current: str | None = code
        while current and current not in chain:
            chain.append(current)
            current = parent.get(current)
        chains[code] = chain
    return chains


def in_scope(user: User, unit_code: str | None) -> bool:
    """Return True when `unit_code` is the officer's unit or below it (national officers: any)."""
    if user.unit_code is None:
        return True
    if unit_code is None:
        return False
    return user.unit_code in ancestor_codes(unit_code)


def oversees(actor: User, user: User) -> bool:
    """Return True when `user` works inside `actor`'s scope (a national officer is overseen only nationally)."""
    if user.unit_code is None:
        return actor.unit_code is None
    return in_scope(actor, user.unit_code)


def scope_filter(user: User, column):
    """Return a SQL condition on `column` (a unit code) limiting rows to the officer's scope."""
    if user.unit_code is None:
        return column.is_not(None) | column.is_(None)
    return column.in_(descendant_codes(user.unit_code))


def get_unit(code: str | None, field: str = "unit_code") -> Unit:
    """Return the unit with `code`, or raise NotFound naming the field."""
    unit = db.session.get(Unit, code) if code else None
    if unit is None:
        raise NotFound(
            _l("Không có đơn vị hành chính mã “%(code)s”.", code=code or ""),
            {field: _l("Mã đơn vị không tồn tại.")},
            code="unknown_unit",
        )
    return unit


def require_scope(user: User, unit_code: str | None, field: str = "unit_code") -> None:
    """Raise Forbidden unless `unit_code` lies in the officer's scope."""
    if not in_scope(user, unit_code):
        raise Forbidden(
            _l("Đơn vị này nằm ngoài phạm vi quản lý của bạn."),
            {field: _l("Ngoài phạm vi của bạn.")},
            code="out_of_scope",
        )


def target_unit_codes(targets: dict | None) -> set[str]:
    """Return the codes of the units a targets dict reaches: its units, its groups' and its screens' units.

    A group's screens all belong to the group's unit (`kiosks.resolve_groups`), so the group's unit
    stands for them. Groups and screens that no longer exist reach nothing and add nothing.
    """
    if not targets:
        return set()
    codes = {str(code) for code in targets.get("units") or []}
    group_ids = [ref for ref in targets.get("groups") or [] if isinstance(ref, int)]
    if group_ids:
        codes |= set(db.session.scalars(select(KioskGroup.unit_code).where(KioskGroup.id.in_(group_ids))))
    kiosk_ids = [ref for ref in targets.get("kiosks") or [] if isinstance(ref, int)]
    if kiosk_ids:
        codes |= set(db.session.scalars(select(Kiosk.unit_code).where(Kiosk.id.in_(kiosk_ids))))
    return codes


def require_targets_in_scope(user: User, *targets: dict | None, field: str = "targets") -> None:
    """Raise Forbidden naming a target's unit when any of `targets` reaches outside the officer's scope."""
    codes: set[str] = set()
    for each in targets:
        codes |= target_unit_codes(each)
    outside = sorted(code for code in codes if not in_scope(user, code))
    if not outside:
        return
    unit = db.session.get(Unit, outside[0])
    raise Forbidden(
        _l("Nơi hiển thị “%(name)s” (mã %(code)s) nằm ngoài phạm vi quản lý của bạn.",
           name=unit.name if unit else outside[0], code=outside[0]),
        {field: _l("Ngoài phạm vi của bạn: %(codes)s.", codes=", ".join(outside))},
        code="out_of_scope",
    )
