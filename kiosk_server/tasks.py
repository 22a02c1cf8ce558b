"""Background work of a serving process: stored due work, and retiring expired notices on time.

Started by `python wsgi.py` and by gunicorn's post_worker_init hook (deploy/gunicorn.conf.py), never
by create_app, so tests and CLI commands run without it. Every process runs both loops: the work
itself lives in the database and each piece is claimed with a conditional update (`due.run_due`,
`notices.expire_due`), so it is done once whichever processes are alive.
"""

from __future__ import annotations

from flask import Flask

from kiosk_server.extensions import db, socketio

SWEEP_SECONDS = 15


def _sweep_forever(app: Flask) -> None:
    from kiosk_server.services import notices

    while True:
        try:
            with app.app_context():
                notices.expire_due()
                db.session.remove()
        except Exception:  # a failed sweep must not end the loop; the next one retries
            app.logger.exception("expiry sweep failed")
        socketio.sleep(SWEEP_SECONDS)


def _due_forever(app: Flask) -> None:
    # Importing the services registers their due-job handlers (alerts, publish).
    from kiosk_server.services import alerts, due  # noqa: F401

    every = float(app.config.get("DUE_POLL_SECONDS", 0.5))
    while True:
        try:
            with app.app_context():
                due.run_due()
                db.session.remove()
        except Exception:  # the database may be away for a moment; the next round retries
            app.logger.exception("running due work failed")
        socketio.sleep(every)


def start_background_tasks(app: Flask) -> None:
    """Start the periodic tasks of a serving process (once per process)."""
    if app.extensions.get("background_tasks_started"):
        return
    app.extensions["background_tasks_started"] = True
    socketio.start_background_task(_sweep_forever, app)
    socketio.start_background_task(_due_forever, app)
