"""The editable list of notice categories."""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk_server.domain.categories import DEFAULT_CATEGORIES
from kiosk_server.extensions import db
from kiosk_server.models import Category


def ensure_defaults() -> None:
    """Insert the default categories when the list is empty (a new database)."""
    if db.session.scalar(select(func.count()).select_from(Category)):
        return
    for position, (code, name) in enumerate(DEFAULT_CATEGORIES):
        db.session.add(Category(code=code, name=name, position=position))
    db.session.commit()


def active_categories() -> list[Category]:
    """Return the categories officers may pick, in their order."""
    return list(db.session.scalars(select(Category).where(Category.active).order_by(Category.position)))
