"""Inserts that several processes may make at once: the second one of a key changes nothing.

Selecting and then inserting races between processes (both see nothing, one insert fails on the
unique key and its request answers 500). `INSERT … ON CONFLICT DO NOTHING` lets the database decide.
"""

from __future__ import annotations

from sqlalchemy import bindparam, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite

from kiosk_server.extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


# Rows per statement: PostgreSQL takes at most 65,535 bound parameters, SQLite 32,766.
CHUNK_ROWS = 1000


def insert_ignoring_duplicates(model, rows: list[dict], keys: list[str] | None = None) -> int:
    """Insert `rows` into `model`'s table, skipping any that clash on `keys` (None: on any unique key).

    Returns how many rows were inserted.
    """
    total = 0
    for statement in _statements(model, rows, keys):
        total += db.session.execute(statement).rowcount
    return total


def insert_new(model, rows: list[dict], keys: list[str], returning: list | None = None) -> list[tuple]:
    """Insert `rows`, skipping clashes on `keys`; return the `returning` columns (default: `keys`) of the new rows.

    The caller learns exactly which rows are new, so what it does beside them (figures kept in
    `add_to_counters`, receipts announced to officers) counts each row once even when two sessions
    send the same rows at once. One round trip per chunk (`RETURNING`) where selecting what already
    exists first would read the whole table's worth of keys (10,000 screens' receipts of one alert).
    """
    columns = returning or [getattr(model, key) for key in keys]
    new: list[tuple] = []
    for statement in _statements(model, rows, keys):
        new.extend(tuple(row) for row in db.session.execute(statement.returning(*columns)))
    return new


def _statements(model, rows: list[dict], keys: list[str] | None):
    dialect = db.session.get_bind().dialect.name  # the two databases this system supports
    if dialect == "postgresql":
        if rows:
            yield _from_arrays(model, rows).on_conflict_do_nothing(index_elements=keys)
        return
    for start in range(0, len(rows), CHUNK_ROWS):
        yield sqlite.insert(model).values(rows[start:start + CHUNK_ROWS]).on_conflict_do_nothing(index_elements=keys)


def _from_arrays(model, rows: list[dict]):
    """PostgreSQL: `INSERT … SELECT * FROM unnest(:column_1, :column_2, …)`, one array per column.

    The same SQL text whatever the number of rows, so SQLAlchemy compiles it once and psycopg parses
    it once; a VALUES list per row was a new statement for every batch size, and compiling and
    parsing it cost more than the database's work (a fifth of the server's CPU in the fan-out
    benchmark's receipt burst, issue 22). Nor is there a limit of 65,535 parameters to chunk under.
    """
    table = model.__table__
    names = list(rows[0])
    arrays = [cast(bindparam(f"each_{name}", [row[name] for row in rows]), postgresql.ARRAY(table.c[name].type))
              for name in names]
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    return postgresql.insert(table).from_select(names, select(*(source.c[name] for name in names)))


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
