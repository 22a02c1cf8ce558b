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


def insert_new(model, rows: list[dict], keys: list[str], returning: list) -> list:
    """Insert `rows`, skipping any that clash on `keys`; return the `returning` columns of the rows inserted.

    The caller learns exactly which rows are new, so figures kept beside them (`add_to_counters`)
    count each row once even when two sessions send the same rows at once.
    """
    if not rows:
        return []
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = insert(model).values(rows).on_conflict_do_nothing(index_elements=keys).returning(*returning)
    return list(db.session.execute(statement).all())


def add_to_counters(model, rows: list[dict], keys: list[str], add: list[str]) -> None:
    """Insert counter rows, or add their `add` columns to the row already stored under `keys`.

    One statement, so two processes adding at once both count (never a lost update); give rows in
    one order everywhere (sorted by key) so two such statements never wait on each other in a cycle.
    """
    if not rows:
        return
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = insert(model).values(rows)
    table = model.__table__
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + statement.excluded[name] for name in add})
    db.session.execute(statement)
