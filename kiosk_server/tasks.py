"""Background work of a serving process: stored due work, polling sources, retiring expired notices
and playlists on time, and closing the uptime stretches of screens a dead process left open.

Started by `python wsgi.py` and by gunicorn's post_worker_init hook (deploy/gunicorn.conf.py), never
by create_app, so tests and CLI commands run without it. Every process runs every loop: the work
itself lives in the database and each piece is claimed with a conditional update (`due.run_due`,
`notices.expire_due`, `playlists.expire_due`), so it is done once whichever processes are alive.
"""

from __future__ import annotations

import gc

from flask import Flask

from kiosk_server.extensions import socketio
from kiosk_server.services.core import metrics
from kiosk_server.services.core.loops import run_forever

SWEEP_SECONDS = 15
UPTIME_SWEEP_SECONDS = 60


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
    tune_garbage_collector()


# Objects made before a serving process starts (modules, the app, SQLAlchemy's mappings: most of an idle
# process's 150 MB) live as long as it does. Frozen, no collection walks them again; and a collection
# waits for ten times as many new objects as Python's default. In the fan-out benchmark's alert window
# the collector had taken half the servers' CPU (bench/README.md, issue 22).
GC_FIRST_GENERATION_THRESHOLD = 7000


def tune_garbage_collector() -> None:
    """Freeze what start-up made and collect the youngest objects less often (serving processes only)."""
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(GC_FIRST_GENERATION_THRESHOLD, second, third)
