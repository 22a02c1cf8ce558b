"""Live state of screens: connected or not, what they play, how far behind; pushed to officers.

Screens report over their socket (connect, `hello`, a heartbeat every 25 s, disconnect). Writing and
announcing each report on its own costs a commit and an officers' broadcast per heartbeat: 10,000
screens make 333 writes a second. Instead each process keeps the latest report per screen in memory
(`_reports`) and `flush` writes them all every PRESENCE_FLUSH_SECONDS in one executemany UPDATE, then
tells each officers' room in one `kiosk_statuses` event about the screens whose visible state changed
(online or not, the version it holds, what it plays). A connect or disconnect wakes the flusher, so it
reaches officers within PRESENCE_PROMPT_SECONDS; heartbeats wait for the interval. A process that dies
loses at most one interval of heartbeats: the screen's next heartbeat, on whichever process it
reconnects to, says the same again, and the "online" rule allows 90 s.

The same flush catches up a screen that missed a `manifest` (lost with Redis, say): the row it reads
to tell officers holds the stored version, the heartbeat the one the screen plays, so a screen behind
is sent `manifest` by this process, the one holding its socket, without a query of its own.

Several processes write the same rows, so a write never moves `last_seen` backwards (a manifest fetch
may have written a later one, see `manifest_fetched`), and a disconnect only marks a screen offline
when nothing was heard from it after the disconnect was noticed (it may have reconnected elsewhere).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import Boolean, Integer, String, bindparam, case, func, or_, select, update
from sqlalchemy.orm import selectinload

from kiosk_server.domain import targeting
from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import loops
from kiosk_server.services.screens import publish
from kiosk_server.services.screens import uptime as uptime_record
from kiosk_server.services.screens.kiosks import kiosk_dict

ADMIN_NAMESPACE = "/admin"
STATUS_EVENT = "kiosk_statuses"
# Heartbeats come every 25 s; a screen unheard of for more than three of them is offline even if its server
# process died without noticing the disconnect.
ONLINE_WINDOW = timedelta(seconds=90)
_LOAD_CHUNK = 500
_WRITE_CHUNK = 500


def admin_room(unit_code: str | None) -> str:
    """Return the room of officers whose scope is `unit_code` (None: national officers)."""
    return f"admin:{unit_code or '*'}"


def admin_rooms(unit_chain: list[str]) -> tuple[str, ...]:
    """Return the rooms of every officer who sees a screen in the first unit of `unit_chain` (nearest first)."""
    return (*(admin_room(code) for code in unit_chain), admin_room(None))


def is_online(kiosk: Kiosk, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return bool(kiosk.connected and kiosk.last_seen and now - kiosk.last_seen < ONLINE_WINDOW and not kiosk.revoked)


def status_json(kiosk: Kiosk) -> dict:
    """Return what an officer sees of a screen, as the API and the live dashboard give it."""
    return {
        **kiosk_dict(kiosk),
        "theme": kiosk.theme,
        "online": is_online(kiosk),
        "reported_version": kiosk.reported_version,
        "behind": kiosk.reported_version is not None and kiosk.reported_version < kiosk.manifest_version,
        "current_item": kiosk.current_item,
        "uptime_s": kiosk.uptime_s,
    }


def manifest_fetched(kiosk: Kiosk) -> None:
    """Note that the kiosk fetched its manifest; written at most every SEEN_EVERY (see web.kiosk.fast_path).

    Socket reports reach the row up to PRESENCE_FLUSH_SECONDS late, well inside SEEN_EVERY, so the
    fast path's 304 window and this write agree with them; a flush never moves last_seen backwards.
    """
    now = utcnow()
    if targeting.seen_is_due(kiosk.last_seen, now):
        kiosk.last_seen = now
        db.session.commit()


# --- reports kept in this process until the next flush -------------------------------------------

_UNSET = object()


@dataclass(slots=True)
class _Report:
    """The latest word from one screen in this process: later reports overwrite what they say."""

    seen: datetime
    connected: bool
    rooms: tuple[str, ...]  # officers' rooms that see this screen
    announce: bool = False  # a connect or disconnect: officers are told whatever they were told before
    version: int | None = None
    current_item: object = _UNSET  # str or None once a heartbeat said it
    uptime_s: int | None = None
    catch_up: bool = False  # a heartbeat: a version behind the stored one is sent `manifest` (hello sends its own)

    def then(self, later: _Report) -> _Report:
        """Return this report followed by `later`, as if both had been written in turn."""
        return _Report(
            seen=max(self.seen, later.seen), connected=later.connected, rooms=later.rooms,
            announce=self.announce or later.announce,
            version=later.version if later.version is not None else self.version,
            current_item=later.current_item if later.current_item is not _UNSET else self.current_item,
            uptime_s=later.uptime_s if later.uptime_s is not None else self.uptime_s,
            catch_up=later.catch_up or self.catch_up,
        )


_reports: dict[int, _Report] = {}
# What officers were last told of each connected screen this process reports on:
# (connected, behind, current item). Only a change of these is announced; uptime and last_seen are
# read with the page.
_shown: dict[int, tuple] = {}
_lock = threading.Lock()
# threading primitives are gevent's own once wsgi.py has monkey-patched.
_prompt = threading.Event()
_flushers: set[int] = set()

_kiosks = Kiosk.__table__
_newer = or_(_kiosks.c.last_seen.is_(None), _kiosks.c.last_seen <= bindparam("seen", type_=_kiosks.c.last_seen.type))
_WRITE = (
    update(_kiosks)
    .where(_kiosks.c.id == bindparam("kiosk_id", type_=Integer()))
    .values(
        # A connect or heartbeat proves the screen is connected (somewhere); a disconnect counts only
        # if nobody heard from the screen after it was noticed.
        connected=case((bindparam("is_connected", type_=Boolean()), True), (_newer, False),
                       else_=_kiosks.c.connected),
        last_seen=case((_newer, bindparam("seen", type_=_kiosks.c.last_seen.type)), else_=_kiosks.c.last_seen),
        reported_version=func.coalesce(bindparam("version", type_=Integer()), _kiosks.c.reported_version),
        current_item=case((bindparam("sets_item", type_=Boolean()), bindparam("item", type_=String(32))),
                          else_=_kiosks.c.current_item),
        uptime_s=func.coalesce(bindparam("uptime", type_=Integer()), _kiosks.c.uptime_s),
    )
)
_SHOWN = select(_kiosks.c.id, _kiosks.c.connected, _kiosks.c.manifest_version, _kiosks.c.reported_version,
                _kiosks.c.current_item)


def _note(kiosk_id: int, report: _Report, prompt: bool) -> None:
    with _lock:
        earlier = _reports.get(kiosk_id)
        _reports[kiosk_id] = earlier.then(report) if earlier is not None else report
    app = current_app._get_current_object()
    interval = app.config.get("PRESENCE_FLUSH_SECONDS", 5.0)
    if not interval:
        flush()
        return
    if id(app) not in _flushers:
        _flushers.add(id(app))
        _start_flusher(app, interval)
    if prompt:
        _prompt.set()


# `since` names the connection a report comes on (when it opened): the screen's uptime record
# (services/screens/uptime.py) is written from these same reports, by the same flush.

def connected(kiosk_id: int, rooms: tuple[str, ...], since: datetime | None = None) -> None:
    """Note that the screen connected; officers hear of it within PRESENCE_PROMPT_SECONDS."""
    now = utcnow()
    if since is not None:
        uptime_record.heard(kiosk_id, since, now)
    _note(kiosk_id, _Report(now, True, rooms, announce=True), prompt=True)


def hello(kiosk_id: int, rooms: tuple[str, ...], version, since: datetime | None = None) -> None:
    """Note the manifest version the screen says it holds as it (re)connects."""
    version = version if isinstance(version, int) and not isinstance(version, bool) else None
    now = utcnow()
    if since is not None:
        uptime_record.heard(kiosk_id, since, now)
    _note(kiosk_id, _Report(now, True, rooms, version=version), prompt=True)


def heartbeat(kiosk_id: int, rooms: tuple[str, ...], version, current_item, uptime_s,
              since: datetime | None = None) -> None:
    """Note the screen's heartbeat; written with the next flush, announced if what officers see changed."""
    version = version if isinstance(version, int) and not isinstance(version, bool) else None
    item = current_item[:32] if isinstance(current_item, str) else None
    uptime = int(uptime_s) if isinstance(uptime_s, (int, float)) and not isinstance(uptime_s, bool) \
        and 0 <= uptime_s < 10**9 else None
    now = utcnow()
    if since is not None:
        uptime_record.heard(kiosk_id, since, now)
    _note(kiosk_id, _Report(now, True, rooms, version=version, current_item=item, uptime_s=uptime, catch_up=True),
          prompt=False)


def disconnected(kiosk_id: int, rooms: tuple[str, ...], since: datetime | None = None) -> None:
    """Note that the screen's socket closed; officers hear of it within PRESENCE_PROMPT_SECONDS."""
    now = utcnow()
    if since is not None:
        uptime_record.ended(kiosk_id, since, now)
    _note(kiosk_id, _Report(now, False, rooms, announce=True), prompt=True)


def _start_flusher(app: Flask, interval: float) -> None:
    socketio.start_background_task(_flush_forever, app, interval)


def _flush_forever(app: Flask, interval: float) -> None:
    prompt_s = app.config.get("PRESENCE_PROMPT_SECONDS", 0.5)

    def wait(seconds: float) -> None:
        # A connect or disconnect wakes the flusher early, except while it backs off from a database away.
        if seconds > interval:
            socketio.sleep(seconds)
        elif _prompt.wait(seconds):
            socketio.sleep(prompt_s)  # gather the burst: a whole commune reconnects at once
        _prompt.clear()

    # The reports stay queued when a round fails; the next one writes them.
    loops.run_forever(app, interval, flush, "writing screens' status", wait=wait)


def flush() -> int:
    """Write every report kept since the last flush in one UPDATE, then tell officers what changed.

    Returns how many screens were written. On a failed write the reports are kept for the next round
    (under any that came meanwhile) and the error is raised.
    """
    global _reports
    # The screens' uptime record first: if it fails, these reports wait for the next round with it.
    uptime_record.flush()
    with _lock:
        batch, _reports = _reports, {}
    if not batch:
        return 0
    rows = [{"kiosk_id": kiosk_id, "seen": r.seen, "is_connected": r.connected, "version": r.version,
             "sets_item": r.current_item is not _UNSET, "item": None if r.current_item is _UNSET else r.current_item,
             "uptime": r.uptime_s} for kiosk_id, r in batch.items()]
    written = 0
    try:
        # One executemany UPDATE per chunk, each its own short transaction, and a pause between them:
        # a fleet reconnecting must not hold the SQLite write lock, or the process's other greenlets
        # (an alert going out), for the whole batch.
        for start in range(0, len(rows), _WRITE_CHUNK):
            db.session.execute(_WRITE, rows[start:start + _WRITE_CHUNK])
            db.session.commit()
            written = start + _WRITE_CHUNK
            socketio.sleep(0)
    except Exception:
        db.session.rollback()
        unwritten = {row["kiosk_id"] for row in rows[written:]}
        with _lock:
            for kiosk_id, report in batch.items():
                if kiosk_id in unwritten:
                    later = _reports.get(kiosk_id)
                    _reports[kiosk_id] = report.then(later) if later is not None else report
        raise
    _announce(batch)
    return len(rows)


def _announce(batch: dict[int, _Report]) -> None:
    """Send each officers' room one `kiosk_statuses` list of its screens whose visible state changed."""
    ids = sorted(batch)
    changed: list[int] = []
    behind: dict[int, int] = {}
    for start in range(0, len(ids), _LOAD_CHUNK):
        for row in db.session.execute(_SHOWN.where(_kiosks.c.id.in_(ids[start:start + _LOAD_CHUNK]))):
            if _is_behind(batch[row.id], row.manifest_version):
                behind[row.id] = row.manifest_version
            shown = (row.connected, row.reported_version is not None and row.reported_version < row.manifest_version,
                     row.current_item)
            with _lock:
                before = _shown.pop(row.id, None)
                if batch[row.id].connected:
                    _shown[row.id] = shown
            if shown != before or batch[row.id].announce:
                changed.append(row.id)
    statuses: list[dict] = []
    for start in range(0, len(changed), _LOAD_CHUNK):
        query = select(Kiosk).where(Kiosk.id.in_(changed[start:start + _LOAD_CHUNK])).options(
            selectinload(Kiosk.groups))
        statuses += [status_json(kiosk) for kiosk in db.session.scalars(query)]
        db.session.rollback()  # no connection is held across the pause, or while the messages go out
        socketio.sleep(0)
    db.session.rollback()
    by_room: dict[str, list[dict]] = {}
    for status in statuses:
        for room in batch[status["id"]].rooms:
            by_room.setdefault(room, []).append(status)
    for room, entries in by_room.items():
        socketio.emit(STATUS_EVENT, entries, to=room, namespace=ADMIN_NAMESPACE)
    _send_manifests(behind)


def _is_behind(report: _Report, stored_version: int) -> bool:
    return report.catch_up and report.connected and report.version is not None and report.version < stored_version


def _send_manifests(behind: dict[int, int]) -> None:
    """Send `manifest` to each screen whose heartbeat said it plays a version older than the stored one.

    Only to this process's own sockets (ignore_queue): the heartbeat came to this process, and the
    message that should have told the screen may have been lost with the queue.
    """
    for kiosk_id, version in behind.items():
        socketio.emit("manifest", {"version": version}, to=targeting.kiosk_room(kiosk_id),
                      namespace=publish.KIOSK_NAMESPACE, ignore_queue=True)

