"""The kiosk server: `create_app` builds a configured Flask app; nothing happens at import time."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import event


def create_app(config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Return a new app: defaults < instance/config.py < KIOSK_* environment < `config`."""
    from kiosk_server.config import load_config

    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("KIOSK_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path, overrides=config))
    app.json.ensure_ascii = False  # Vietnamese stays readable in every JSON answer (UTF-8)

    _init_extensions(app)
    _register_web(app)

    from kiosk_server.cli import kiosk_cli

    app.cli.add_command(kiosk_cli)
    return app


def _init_extensions(app: Flask) -> None:
    from kiosk_server import models  # noqa: F401  (registers every table with the metadata)
    from kiosk_server.extensions import babel, csrf, db, login, migrate, socketio

    db.init_app(app)
    with app.app_context():
        # This app's own engines only: a listener on the Engine class would reach every engine in the
        # process (a second app, a test's admin connection) from the moment the package is imported.
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            elif engine.dialect.name == "postgresql":
                from kiosk_server.database import bound_web_statements

                bound_web_statements(engine, float(app.config.get("DATABASE_STATEMENT_TIMEOUT") or 0))
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    csrf.init_app(app)
    _init_limits(app)
    from kiosk_server.sockets import register_namespaces

    register_namespaces(socketio)  # before init_app, which registers them with this app's server
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    app.jinja_env.add_extension("jinja2.ext.i18n")
    from kiosk_server.sockets.origins import allowed_origins_for

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # Given every time (also for one process alone): Flask-SocketIO keeps its options from one init_app to
        # the next, so an earlier app's Redis queue would otherwise carry over to an app given none.
        client_manager=_message_queue(app.config),
        # Same origin only: kiosks load the player from this server. ([] would turn the check off.)
        cors_allowed_origins=allowed_origins_for(app.config.get("PUBLIC_URL")),
    )

    login.init_app(app)
    login.login_view = "admin.login"
    login.login_message = None  # the sign-in page explains itself

    @login.user_loader
    def _load_user(session_id: str):
        from kiosk_server.models import User

        # "id:generation" (User.get_id): a session from before the last password change or "sign out
        # everywhere" names an older generation and is turned away.
        user_id, _, generation = session_id.partition(":")
        if not (user_id.isdigit() and generation.isdigit()):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_generation != int(generation):
            return None
        return user


def _select_locale() -> str:
    from flask_login import current_user

    supported = ("vi", "en")
    if not has_request_context():  # CLI and background work speak Vietnamese
        return "vi"
    chosen = request.cookies.get("lang")
    if chosen in supported:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in supported:
        return current_user.locale
    # Vietnamese first: a browser asking for English still gets Vietnamese until someone switches.
    return "vi"


def _register_web(app: Flask) -> None:
    from kiosk_server.web import register_web

    register_web(app)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Turn on WAL (readers never wait for the writer) and foreign keys on every SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits, which
    # for heartbeats and receipts is a fair price for not waiting on fsync at every write.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _message_queue(config) -> object:
    """Return the client manager: the Redis message queue between processes, or one process's own.

    Ours either way (kiosk_server/sockets/managers.py): a disconnect leaves only its own rooms.

    Made here rather than by Flask-SocketIO so that a Redis host that stops answering (dropped packets,
    not a refused connection) costs a publish two seconds, not the system's connect timeout, and a
    subscription that silently died is noticed by its health check and made again (docs/operations.md).
    No socket timeout on reads: the listener waits on its subscription by design.
    """
    from kiosk_server.sockets import managers

    if not config.get("REDIS_URL"):
        return managers.Manager()
    return managers.RedisManager(
        config["REDIS_URL"], channel=f"{config['REDIS_NAMESPACE']}-socketio",  # required with a Redis URL
        redis_options={"socket_connect_timeout": 2, "socket_keepalive": True, "health_check_interval": 30})


def _init_limits(app: Flask) -> None:
    """Rate limits, with what their storage going away needs (docs/operations.md)."""
    # Registered before the limiter's own after-request (Flask runs them last-registered first), so a
    # 503 for the database keeps its Retry-After over Flask-Limiter's window.
    from kiosk_server.extensions import limiter
    from kiosk_server.web.errors import keep_database_retry_after

    app.after_request(keep_database_retry_after)
    limiter.init_app(app)
    # Flask-Limiter logs its fallback to memory and its recovery on a logger of its own that has no
    # handler: give it the app's, so the operator reads both in the server's log.
    if default_handler not in limiter.logger.handlers:
        limiter.logger.addHandler(default_handler)
        limiter.logger.setLevel(logging.INFO)
