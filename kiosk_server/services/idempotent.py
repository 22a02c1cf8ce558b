"""Inserts that several processes may make at once: the second one of a key changes nothing.

Selecting and then inserting races between processes (both see nothing, one insert fails on the
unique key and its request answers 500). `INSERT … ON CONFLICT DO NOTHING` lets the database decide.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from kiosk_server.extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_ignoring_duplicates(model, rows: list[dict], keys: list[str] | None = None) -> int:
    """Insert `rows` into `model`'s table, skipping any that clash on `keys` (None: on any unique key).

    Returns how many rows were inserted.
    """
    if not rows:
        return 0
    insert = _INSERTS[db.session.get_bind().dialect.name]  # the two databases this system supports
    statement = insert(model).values(rows).on_conflict_do_nothing(index_elements=keys)
    return db.session.execute(statement).rowcount
