"""Background work of a serving process: stored due work, polling sources, retiring expired notices
and playlists on time, and closing the uptime stretches of screens a dead process left open.

Started by `python wsgi.py` and by gunicorn's post_worker_init hook (deploy/gunicorn.conf.py), never
by create_app, so tests and CLI commands run without it. Every process runs every loop: the work
itself lives in the database and each piece is claimed with a conditional update (`due.run_due`,
`notices.expire_due`, `playlists.expire_due`), so it is done once whichever processes are alive.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from kiosk_server.database import DATABASE_AWAY, first_line
from kiosk_server.extensions import db, socketio
from kiosk_server.services.core import metrics

SWEEP_SECONDS = 15
UPTIME_SWEEP_SECONDS = 60
# While the database is away a loop waits twice as long after each failed round, up to this (or its own period).
MAX_BACKOFF_SECONDS = 30


def run_forever(app: Flask, every: float, work: Callable[[], object], what: str) -> None:
    """Run `work` every `every` seconds for ever; a database away is one log line and a back-off, not a crash."""
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
            # One line per outage, not a traceback per round; the loop backs off until it answers again.
            metrics.error("background")
            if not failures:
                app.logger.warning("%s: database unavailable, retrying with back-off: %s", what, first_line(error))
            failures += 1
        except Exception:  # a bug in one round: log it with its traceback, and the next round retries
            metrics.error("background")
            app.logger.exception("%s failed", what)
        socketio.sleep(backoff(every, failures))


def backoff(every: float, failures: int) -> float:
    """Return the wait before the next round: `every`, doubled per failed round up to MAX_BACKOFF_SECONDS."""
    return min(every * 2 ** min(failures, 10), max(every, MAX_BACKOFF_SECONDS))


def start_background_tasks(app: Flask) -> None:
    """Start the periodic tasks of a serving process (once per process)."""
    # Importing the services registers their due-job handlers (alerts, publish, plays).
    from kiosk_server.services.alerts import alerts  # noqa: F401  (its due-job handlers)
    from kiosk_server.services.content import notices, playlists
    from kiosk_server.services.core import due
    from kiosk_server.services.reports import plays
    from kiosk_server.services.screens import uptime
    from kiosk_server.services.sources import sources

    if app.extensions.get("background_tasks_started"):
        return
    app.extensions["background_tasks_started"] = True
    metrics.starting_to_serve()
    try:
        with app.app_context():
            plays.ensure_daily_jobs_scheduled()  # the play log's daily seal and roll-up, stored once for all
    except Exception:  # the database may be away: a later start, or another process, stores it
        app.logger.exception("scheduling the play log's daily jobs failed")
    socketio.start_background_task(run_forever, app, SWEEP_SECONDS, notices.expire_due, "expiry sweep")
    socketio.start_background_task(run_forever, app, SWEEP_SECONDS, playlists.expire_due, "playlist expiry sweep")
    socketio.start_background_task(run_forever, app, float(app.config.get("DUE_POLL_SECONDS", 0.5)),
                                   lambda: due.run_due(skip=sources.JOB_KINDS), "running due work")
    # Polling sources waits on the network: a loop of its own, so no alert's due work waits behind it.
    socketio.start_background_task(run_forever, app, float(app.config.get("SOURCE_POLL_SECONDS", 5.0)),
                                   sources.poll_due, "polling sources")
    # A process that died left its screens' stretches open: whichever process is alive closes them.
    socketio.start_background_task(run_forever, app, UPTIME_SWEEP_SECONDS, uptime.close_silent,
                                   "closing silent screens' uptime stretches")
