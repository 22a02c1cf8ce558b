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


def add_to_counter(model, row: dict, keys: list[str], column: str) -> None:
    """Insert `row`, or when a row with the same `keys` exists, add `row[column]` to its `column`.

    One statement (`INSERT … ON CONFLICT (keys) DO UPDATE`), so two processes counting the same key at
    once both count, and a count needs no row of its own (a daily counter, not a row per event).
    """
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = insert(model).values(row)
    target = model.__table__.c[column]
    db.session.execute(statement.on_conflict_do_update(
        index_elements=keys, set_={column: target + statement.excluded[column]}))
