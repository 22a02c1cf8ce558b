"""PostgreSQL's bound on one statement of a web request, so a stuck database is a 503 within 10 s (issue 21).

The bound is set on a pooled connection when a web request takes it and lifted when background work or a
CLI command does (a night's roll-up or a migration may rightly run longer). A connection keeps what it
was last given, so in a serving process the SET is sent only when a connection changes hands between
the two kinds of work, not at every request.
"""

from __future__ import annotations

from flask import has_request_context
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

# The database could not be reached or did not answer in time: a connection refused or cut, the pool
# exhausted, a statement over its bound. Not a bug: a 503 for a request, a back-off for a loop.
DATABASE_AWAY = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)

_SET = "statement_timeout"


def first_line(error: Exception) -> str:
    """Return the first line of the driver's message for `error`: what an operator's log line says."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def bound_web_statements(engine: Engine, seconds: float) -> None:
    """Give every statement run for a web request on `engine` at most `seconds` (0: no bound)."""
    bound_ms = int(seconds * 1000)

    def _on_checkout(dbapi_connection, connection_record, connection_proxy) -> None:
        wanted = bound_ms if has_request_context() else 0
        if connection_record.info.get(_SET) == wanted:
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"SET {_SET} = {wanted}")
        finally:
            cursor.close()
        # SET is transactional in PostgreSQL: committed now, or the request's rollback would undo it.
        dbapi_connection.commit()
        connection_record.info[_SET] = wanted

    event.listen(engine, "checkout", _on_checkout)
