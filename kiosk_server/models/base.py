"""Column helpers shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def among_ids(column, ids, dialect: str):
    """Return `column IN ids` for thousands of ids: one array parameter on PostgreSQL.

    An IN list of 10,000 placeholders costs PostgreSQL's driver most of a second to build and send
    (an alert to a province bumps every screen's manifest); `= ANY(array)` is one parameter.
    SQLite has no arrays and binds a long list cheaply.
    """
    if dialect == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(list(ids))


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, PostgreSQL does; this makes both return the same aware value so that no
    comparison ever mixes naive and aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
