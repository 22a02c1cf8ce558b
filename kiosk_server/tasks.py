"""Background work of a serving process: retiring expired notices on time.

Started by `python wsgi.py` and by gunicorn's post_worker_init hook (deploy/gunicorn.conf.py), never
by create_app, so tests and CLI commands run without it. Several processes may run it at once:
`expire_due` claims each notice with a conditional update.
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


def start_background_tasks(app: Flask) -> None:
    """Start the periodic tasks of a serving process (once per process)."""
    if app.extensions.get("background_tasks_started"):
        return
    app.extensions["background_tasks_started"] = True
    socketio.start_background_task(_sweep_forever, app)
