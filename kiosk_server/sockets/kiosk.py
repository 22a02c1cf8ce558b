"""The /kiosk namespace: screens authenticate with their token, join their rooms and report.

The token is checked against the database once, on connect; what later events need to know about
the screen talking (its id, unit, the officers' rooms that watch it) is kept for the connection in
`_screens`, so a heartbeat, `played` or `alert_ack` never looks the kiosk up again. Revoking a kiosk
closes its own room in every process (`services.kiosks.revoke_kiosk`); a connection that is no longer
in its kiosk room is closed here, when it next speaks or by the sweep, whichever comes first.

Every event runs in `_ending_transaction`: whatever a handler did with the database, its transaction
is over when it returns, so no pooled connection sits "idle in transaction" behind a socket. While the
database is away an event is refused quietly (a line a minute in the log, `{"ok": false}` to an event
the screen sends again), and a connect is refused so the player tries again: the socket stays open.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room
from sqlalchemy import select

from kiosk_server.database import DATABASE_AWAY
from kiosk_server.domain.targeting import kiosk_room, kiosk_rooms
from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk
from kiosk_server.models.base import utcnow
from kiosk_server.services.alerts import alerts, catch_up, receipts
from kiosk_server.services.core import loops, metrics, scope
from kiosk_server.services.reports import played
from kiosk_server.services.screens import kiosks, presence

NAMESPACE = "/kiosk"


@dataclass(slots=True, frozen=True)
class Screen:
    """Who is on a connection, as its token said when it connected."""

    kiosk_id: int
    unit_code: str
    unit_chain: tuple[str, ...]  # its unit and those above, nearest first
    room: str  # its own room; closed when the kiosk is revoked
    admin_rooms: tuple[str, ...]  # officers who see it
    connected_at: datetime  # names this connection in the screen's uptime record
    created_at: datetime  # no play on it can be older (services/reports/played.py)


# sid -> the screen on that connection, for this process's connections. A dict in memory is right
# here, and lighter than Flask-SocketIO's per-event session copy: a sid names one connection held by
# exactly one process, and every event (and the disconnect) of that connection is handled by that
# process. Nothing here decides what a screen gets; the rooms and the database do.
_screens: dict[str, Screen] = {}
_sweepers: set[int] = set()
_database_away = loops.OutageLog("screens' socket events")


def _ending_transaction(event: str, handler):
    @functools.wraps(handler)
    def run(*args):
        try:
            return handler(*args)
        except DATABASE_AWAY as error:
            # Not a bug and not worth a traceback per heartbeat: the screen keeps playing and retries.
            _database_away.refused_for(current_app._get_current_object(), error)
            if event == "connect":
                raise ConnectionRefusedError("database unavailable, try again later") from None
            return {"ok": False}  # an acknowledged event (a receipt, plays) is sent again later
        finally:
            # Ends the handler's transaction and gives its connection back to the pool; anything not
            # committed is dropped. (In production the event's app context is then torn down too.)
            db.session.rollback()

    return run


def _in_own_room(sid: str, screen: Screen) -> bool:
    # The manager's local room table: no lookup of all a sid's rooms, no database.
    return sid in socketio.server.manager.rooms.get(NAMESPACE, {}).get(screen.room, ())


def _screen(sid: str) -> Screen | None:
    """Return the screen on connection `sid`, or None (and close it) when its kiosk was revoked."""
    screen = _screens.get(sid)
    if screen is not None and not _in_own_room(sid, screen):
        socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
        return None
    return screen


def sweep_revoked() -> int:
    """Close this process's connections whose kiosk room was closed (revoked anywhere); return how many."""
    manager = socketio.server.manager
    gone = [sid for sid, screen in list(_screens.items()) if not _in_own_room(sid, screen)]
    closed = 0
    for sid in gone:
        if manager.is_connected(sid, NAMESPACE):
            socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)
            closed += 1
        elif _screens.pop(sid, None) is not None:  # a connection that ended without its disconnect handler running
            metrics.KIOSKS_CONNECTED.dec()
    return closed


def _sweep_forever(app: Flask, interval: float) -> None:
    while True:
        socketio.sleep(interval)
        try:
            sweep_revoked()
        except Exception:  # the next round tries again
            app.logger.exception("closing revoked screens' sockets failed")


def _start_sweeper(app: Flask) -> None:
    interval = app.config.get("REVOKED_SWEEP_SECONDS", 1.0)
    if interval and id(app) not in _sweepers:
        _sweepers.add(id(app))
        socketio.start_background_task(_sweep_forever, app, interval)


# Events a screen sends all day (every screen's heartbeat, a burst of receipts after an alert): they need
# the app and the database, not Flask's request context, which Flask-SocketIO builds for every event
# from the connection's environ (request object, headers, session) and which was a quarter of the
# server's CPU in the fan-out benchmark's alert window (issue 22). Their handlers take the sid.
_LIGHT_EVENTS = frozenset({"heartbeat", "alert_ack", "played"})


class KioskNamespace(Namespace):
    def trigger_event(self, event, *args):
        handler = getattr(self, f"on_{event or ''}", None)
        if handler is None:
            return None
        metrics.socket_event(event)  # only events this namespace handles: no label for every name sent
        if event in _LIGHT_EVENTS:
            sid, *data = args
            environ = self.socketio.server.get_environ(sid, namespace=self.namespace)
            if not environ:
                return None  # a connection this process no longer knows
            with environ["flask.app"].app_context():
                return _ending_transaction(event, handler)(sid, *data)
        return self.socketio._handle_event(_ending_transaction(event, handler), event, self.namespace, *args)

    def on_connect(self, auth=None):
        token = auth.get("token") if isinstance(auth, dict) else None
        kiosk = kiosks.kiosk_for_token(token if isinstance(token, str) else "")
        if kiosk is None:
            raise ConnectionRefusedError("unknown or revoked kiosk token")
        chain = scope.ancestor_codes(kiosk.unit_code)
        rooms = kiosk_rooms(kiosk.id, chain, [g.id for g in kiosk.groups])
        screen = Screen(kiosk.id, kiosk.unit_code, tuple(chain), kiosk_room(kiosk.id), presence.admin_rooms(chain), utcnow(),
                        kiosk.created_at)
        db.session.rollback()  # the lookup is done; joining rooms needs no connection
        for room in rooms:
            join_room(room)
        _screens[request.sid] = screen
        metrics.KIOSKS_CONNECTED.inc()
        _start_sweeper(current_app._get_current_object())
        presence.connected(screen.kiosk_id, screen.admin_rooms, screen.connected_at)

    def on_disconnect(self, reason=None):
        screen = _screens.pop(request.sid, None)
        if screen is not None:
            metrics.KIOSKS_CONNECTED.dec()
            presence.disconnected(screen.kiosk_id, screen.admin_rooms, screen.connected_at)

    def on_hello(self, data=None):
        screen = _screen(request.sid)
        if screen is None:
            return
        version = data.get("version") if isinstance(data, dict) else None
        presence.hello(screen.kiosk_id, screen.admin_rooms, version, screen.connected_at)
        # The version is read now, after the rooms were joined at connect: a publish in between has
        # either sent its `manifest` to this connection or is already in this number.
        current = db.session.scalar(select(Kiosk.manifest_version).where(Kiosk.id == screen.kiosk_id))
        active = alerts.active_for_unit(screen.unit_code)
        db.session.rollback()  # nothing is held while the messages go out
        if current is not None and version != current:
            emit("manifest", {"version": current})
        for alert in active:
            emit("alert", alert)

    def on_heartbeat(self, sid: str, data=None):
        screen = _screen(sid)
        if screen is None or not isinstance(data, dict):
            return
        # A version behind the stored one is answered by presence's flush (`manifest`), which reads the
        # stored version anyway; alerts the screen never acknowledged are sent again here.
        presence.heartbeat(screen.kiosk_id, screen.admin_rooms, data.get("version"), data.get("current_item"),
                           data.get("uptime_s"), screen.connected_at)
        owed = catch_up.unacknowledged(screen.kiosk_id, screen.unit_chain)
        db.session.rollback()  # nothing is held while the messages go out
        for alert in owed:
            # This socket is here: the queue may be what lost it.
            socketio.emit("alert", alert, to=sid, namespace=NAMESPACE, ignore_queue=True)

    def on_alert_ack(self, sid: str, data=None):
        """Store a receipt; the answer tells the screen whether it is stored (else it sends it again)."""
        screen = _screen(sid)
        if screen is None or not isinstance(data, dict):
            return {"ok": False}
        # No transaction is open here: the receipt may wait for its batch (see receipts.record_ack).
        return {"ok": receipts.record_ack(data.get("id"), screen.kiosk_id, screen.unit_code)}

    def on_played(self, sid: str, data=None):
        """Store the plays that can be true; the answer tells the player to drop the batch or send it later."""
        screen = _screen(sid)
        if screen is None:
            return {"ok": False}
        return played.receive(played.Screen(screen.kiosk_id, screen.unit_code, screen.created_at), data)
