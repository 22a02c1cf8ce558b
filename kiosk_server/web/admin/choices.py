"""Choices offered in officer forms, limited to the officer's scope."""

from __future__ import annotations

from sqlalchemy import func, select
from wtforms import SelectChoice

from kiosk_server.extensions import db
from kiosk_server.models import Unit, User
from kiosk_server.services.core import scope

# Past this many units (a national officer sees 3,300+), the form lists provinces and lets the
# officer type a commune code, instead of sending a list nobody can scroll.
MAX_LISTED = 400


def unit_choices(user: User) -> list[SelectChoice]:
    """Return the units the officer may pick: provinces first, communes grouped under theirs."""
    in_scope = scope.scope_filter(user, Unit.code)
    total = db.session.scalar(select(func.count()).select_from(Unit).where(in_scope))
    query = select(Unit).where(in_scope)
    if total > MAX_LISTED:
        query = query.where(Unit.level == "province")
    units = db.session.scalars(query.order_by(Unit.level.desc(), Unit.name)).all()
    names = {u.code: u.name for u in units}
    return [
        SelectChoice(u.code, f"{u.name} ({u.code})", optgroup=names.get(u.parent_code) if u.parent_code else None)
        for u in units
    ]
