"""A serving process's background loops: one rule for what they do while the database is away.

Every loop (due work, sweeps, the presence flush, the alert receipts' batches) runs its round inside an
app context and, when PostgreSQL is unreachable, logs one line when the outage starts and one when it
ends, backing off in between, instead of a traceback per round (issue 21). A round that fails for
another reason is a bug: logged with its traceback, and the next round tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask

from kiosk_server.database import DATABASE_AWAY, first_line
from kiosk_server.extensions import db, socketio
from kiosk_server.services.core import metrics

# While the database is away a loop waits twice as long after each failed round, up to this (or its own
# period): small enough that every loop of every process works again within 10 s of the database's return.
MAX_BACKOFF_SECONDS = 8


def run_forever(app: Flask, every: float, work: Callable[[], object], what: str,
                wait: Callable[[float], object] = socketio.sleep) -> None:
    """Run `work` every `every` seconds for ever; a database away is one log line and a back-off, not a crash.

    `wait(seconds)` sleeps between rounds; a loop that can be woken early (the presence flush) passes
    its own.
    """
    failures = 0  # rounds in a row the database did not answer
    while True:
        try:
            with app.app_context():
                try:
                    work()
                finally:
                    db.session.remove()
            if failures:
                app.logger.warning("%s: the database answers again after %d failed rounds", what, failures)
            failures = 0
        except DATABASE_AWAY as error:
            metrics.error("background")
            if not failures:
                app.logger.warning("%s: database unavailable, retrying with back-off: %s", what, first_line(error))
            failures += 1
        except Exception:
            metrics.error("background")
            app.logger.exception("%s failed", what)
        wait(backoff(every, failures))


def backoff(every: float, failures: int) -> float:
    """Return the wait before the next round: `every`, doubled per failed round up to MAX_BACKOFF_SECONDS."""
    return min(every * 2 ** min(failures, 10), max(every, MAX_BACKOFF_SECONDS))


class OutageLog:
    """One log line per minute at most for work refused because the database is away (socket events, say).

    A request refused with 503 is logged on its own line; ten thousand screens' heartbeats are not: the
    first refusal of an outage is logged, then at most one line a minute with how many were refused.
    """

    EVERY_S = 60.0

    def __init__(self, what: str) -> None:
        self.what = what
        self.refused = 0
        self.logged_at: float | None = None

    def refused_for(self, app: Flask, error: Exception) -> None:
        metrics.error("database")
        self.refused += 1
        now = time.monotonic()
        if self.logged_at is None or now - self.logged_at >= self.EVERY_S:
            app.logger.warning("%s: database unavailable (%d refused since the last line): %s",
                               self.what, self.refused, first_line(error))
            self.logged_at, self.refused = now, 0
