"""Screen uptime: the stretches each screen was connected, written in batches, read per screen and per unit.

Screens report over their sockets (services/screens/presence.py). Each process notes, per screen, the
connections it opened, heard and closed (`domain.uptime.Heard`); the presence flush hands the batch
to `flush`, which reads the screens' open stretches in one SELECT per 500 screens and writes the
planned changes as executemany UPDATEs and one INSERT: a heartbeat never costs a write of its own.
A stretch a dead process left open is closed at last heard + the online window by the next flush
that hears the screen again, or by `close_silent` (run by every serving process, see tasks.py).

Reads clip the stretches to a period and compute per Viet Nam day (domain/uptime.py).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import Integer, and_, bindparam, case, func, literal, or_, select, type_coerce, update

from kiosk_server.domain import reports as report_rules
from kiosk_server.domain import uptime as rules
from kiosk_server.domain.uptime import Heard, Span
from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, KioskSession
from kiosk_server.models.base import UTCDateTime, utcnow
from kiosk_server.services.core.idempotent import insert_ignoring_duplicates

# A screen heard from within this counts as online (the dashboard's rule); a silent open stretch
# ends this long after its last word.
WINDOW = timedelta(seconds=90)
_CHUNK = 500

_heard: dict[int, Heard] = {}
_lock = threading.Lock()

_sessions = KioskSession.__table__
_EXTEND = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("row_id", type_=Integer()), _sessions.c.ended_at.is_(None))
    .values(last_heard_at=case(
        (_sessions.c.last_heard_at < bindparam("heard", type_=_sessions.c.last_heard_at.type),
         bindparam("heard", type_=_sessions.c.last_heard_at.type)),
        else_=_sessions.c.last_heard_at))
)
_CLOSE = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("row_id", type_=Integer()), _sessions.c.ended_at.is_(None),
           _sessions.c.last_heard_at <= bindparam("guard", type_=_sessions.c.last_heard_at.type))
    .values(ended_at=bindparam("ended", type_=_sessions.c.ended_at.type),
            last_heard_at=bindparam("heard", type_=_sessions.c.last_heard_at.type))
)


# --- noting, in this process ---------------------------------------------------------------------

def heard(kiosk_id: int, since: datetime, at: datetime) -> None:
    """Note that the screen's connection opened at `since` was heard at `at`; written with the next flush."""
    with _lock:
        _heard.setdefault(kiosk_id, Heard()).heard(since, at)


def ended(kiosk_id: int, since: datetime, at: datetime) -> None:
    """Note that the screen's connection opened at `since` closed at `at`."""
    with _lock:
        _heard.setdefault(kiosk_id, Heard()).ended(since, at)


def flush() -> int:
    """Write what this process heard since the last flush; return how many screens' records changed.

    Called by the presence flush. On a failed write the batch is kept for the next round (before
    anything heard meanwhile) and the error is raised.
    """
    global _heard
    with _lock:
        batch, _heard = _heard, {}
    if not batch:
        return 0
    ids = sorted(batch)
    written = 0
    try:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            _write(chunk, batch)
            db.session.commit()
            written = start + _CHUNK
    except Exception:
        db.session.rollback()
        with _lock:
            for kiosk_id in ids[written:]:
                later = _heard.get(kiosk_id)
                _heard[kiosk_id] = batch[kiosk_id].then(later) if later is not None else batch[kiosk_id]
        raise
    return len(ids)


def _write(chunk: list[int], batch: dict[int, Heard]) -> None:
    open_rows = {row.kiosk_id: rules.OpenRow(row.id, row.last_heard_at) for row in db.session.execute(
        select(KioskSession.id, KioskSession.kiosk_id, KioskSession.last_heard_at)
        .where(KioskSession.ended_at.is_(None), KioskSession.kiosk_id.in_(chunk)))}
    # No transaction is held while planning: the writes are guarded, so a change made meanwhile by
    # another process is never undone (a close needs nobody to have heard the screen since).
    db.session.commit()
    extend, close, insert = [], [], []
    for kiosk_id in chunk:
        plan = rules.plan_writes(open_rows.get(kiosk_id), batch[kiosk_id], WINDOW)
        extend += [{"row_id": e.row_id, "heard": e.heard_at} for e in plan.extend]
        close += [{"row_id": c.row_id, "ended": c.ended_at, "heard": c.heard_at, "guard": c.guard} for c in plan.close]
        insert += [{"kiosk_id": kiosk_id, "started_at": n.started_at, "last_heard_at": n.last_heard_at,
                    "ended_at": n.ended_at} for n in plan.insert]
    if close:  # before the inserts: a screen has at most one open stretch
        db.session.execute(_CLOSE, close)
    if extend:
        db.session.execute(_EXTEND, extend)
    if insert:
        # Another process may have opened the screen's stretch meanwhile: the first one stays.
        insert_ignoring_duplicates(KioskSession, insert)


def close_silent(now: datetime | None = None) -> int:
    """Close open stretches of screens unheard for the online window, at last heard + window; return how many were due.

    At most 500 a round: until then a report already ends a silent stretch there (`effective_end`).
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(KioskSession.id, KioskSession.last_heard_at)
        .where(KioskSession.ended_at.is_(None), KioskSession.last_heard_at < now - WINDOW).limit(_CHUNK)
    ).all()
    db.session.commit()
    if rows:
        db.session.execute(_CLOSE, [{"row_id": row.id, "ended": row.last_heard_at + WINDOW,
                                     "heard": row.last_heard_at, "guard": row.last_heard_at} for row in rows])
    db.session.commit()
    return len(rows)


# --- reading -------------------------------------------------------------------------------------

def stretches(kiosk_ids: list[int], start: datetime, end: datetime, now: datetime) -> dict[int, list[Span]]:
    """Return each screen's time online within [start, end) as disjoint spans (open stretches counted to now)."""
    found: dict[int, list[Span]] = {kiosk_id: [] for kiosk_id in kiosk_ids}
    for first in range(0, len(kiosk_ids), _CHUNK):
        rows = db.session.execute(
            select(KioskSession.kiosk_id, KioskSession.started_at, KioskSession.last_heard_at, KioskSession.ended_at)
            .where(KioskSession.kiosk_id.in_(kiosk_ids[first:first + _CHUNK]), KioskSession.started_at < end,
                   or_(KioskSession.ended_at > start,
                       and_(KioskSession.ended_at.is_(None), KioskSession.last_heard_at > start - WINDOW)))
        )
        for kiosk_id, started, last_heard, ended_at in rows:
            found[kiosk_id].append(Span(started, rules.effective_end(ended_at, last_heard, now, WINDOW)))
    return {kiosk_id: rules.merge(rules.clip(spans, start, end)) for kiosk_id, spans in found.items()}


def first_connected(kiosk_ids: list[int]) -> dict[int, datetime]:
    """Return when each screen first connected (screens that never did are left out)."""
    found: dict[int, datetime] = {}
    for first in range(0, len(kiosk_ids), _CHUNK):
        found.update(db.session.execute(
            select(KioskSession.kiosk_id, func.min(KioskSession.started_at))
            .where(KioskSession.kiosk_id.in_(kiosk_ids[first:first + _CHUNK])).group_by(KioskSession.kiosk_id)
        ).all())
    return found


def watched_span(kiosk: Kiosk, first_seen: datetime | None, start: datetime, end: datetime, now: datetime) -> Span:
    """Return when the screen could be expected online within [start, end).

    From its first connection (a screen provisioned in bulk may be mounted weeks later; until it
    first connects it is not installed, so not down) to its revocation, the period's end or now.
    """
    if first_seen is None:
        return Span(start, start)
    stop = min(end, now, kiosk.revoked_at or end)
    begin = max(start, first_seen)
    return Span(begin, max(begin, stop))


def screen_uptime(kiosk: Kiosk, first_seen: datetime | None, online: list[Span], period: report_rules.Period,
                  now: datetime, with_days: bool = True) -> dict:
    """Return one screen's uptime over `period`: online share, each day's share and the outages, as the API gives it."""
    start, end = period.bounds()
    watched = watched_span(kiosk, first_seen, start, end, now)
    online = rules.clip(online, watched.start, watched.end)
    online_s = rules.online_seconds(online)
    gaps = rules.outages(online, watched.start, watched.end) if watched.seconds else []
    ongoing_at = now if watched.end == now and kiosk.revoked_at is None else None
    return {
        "kiosk_id": kiosk.id, "name": kiosk.name, "unit_code": kiosk.unit_code,
        "first_connected": first_seen.isoformat() if first_seen else None,
        "online_seconds": round(online_s, 3), "watched_seconds": round(watched.seconds, 3),
        "share": report_rules.share(online_s, watched.seconds),
        "days": [{"date": day.day.isoformat(), "online_seconds": round(day.online_s, 3), "share": day.share}
                 for day in rules.daily_shares(online, watched, period.first, period.last)] if with_days else [],
        "outages": [{"start": gap.start.isoformat(), "end": None if gap.end == ongoing_at else gap.end.isoformat(),
                     "seconds": round(gap.seconds, 3), "ongoing": gap.end == ongoing_at} for gap in gaps],
    }


def kiosks_of(codes: set[str], start: datetime, end: datetime):
    """Return a query of the screens of `codes` that existed during [start, end), by unit and name."""
    return (select(Kiosk).where(Kiosk.unit_code.in_(codes), Kiosk.created_at < end,
                                or_(Kiosk.revoked_at.is_(None), Kiosk.revoked_at > start))
            .order_by(Kiosk.unit_code, Kiosk.name, Kiosk.id))


def uptime_report(kiosks: list[Kiosk], period: report_rules.Period, now: datetime,
                  with_days: bool = True) -> list[dict]:
    """Return `screen_uptime` of each of `kiosks` over `period`."""
    start, end = period.bounds()
    ids = [k.id for k in kiosks]
    online, first_seen = stretches(ids, start, end, now), first_connected(ids)
    return [screen_uptime(kiosk, first_seen.get(kiosk.id), online[kiosk.id], period, now, with_days)
            for kiosk in kiosks]


def _seconds(start, end):
    """Return the SQL expression for `end - start` in seconds, on the database in use."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _closed_figures(kiosk_ids: list[int], start: datetime, end: datetime) -> dict[int, tuple]:
    """Return per screen (seconds online, gaps between stretches, first start, last end) of its ended stretches.

    Summed by the database: a year of a province's stretches never travels to Python. Each stretch
    is clipped to [start, end) and starts no earlier than the one before it ended, so two processes'
    overlapping stretches count once.
    """
    when = UTCDateTime()
    start_at, end_at = literal(start, when), literal(end, when)
    clipped_start = case((KioskSession.started_at > start_at, KioskSession.started_at), else_=start_at)
    clipped_end = case((KioskSession.ended_at < end_at, KioskSession.ended_at), else_=end_at)
    found: dict[int, tuple] = {}
    for first in range(0, len(kiosk_ids), _CHUNK):
        rows = select(
            KioskSession.kiosk_id.label("kiosk_id"), type_coerce(clipped_start, when).label("s"),
            type_coerce(clipped_end, when).label("e"),
            type_coerce(func.lag(clipped_end).over(partition_by=KioskSession.kiosk_id,
                                                   order_by=KioskSession.started_at), when).label("prev_e"),
        ).where(KioskSession.kiosk_id.in_(kiosk_ids[first:first + _CHUNK]), KioskSession.ended_at.is_not(None),
                KioskSession.started_at < end_at, KioskSession.ended_at > start_at).subquery()
        begins = case((rows.c.prev_e > rows.c.s, rows.c.prev_e), else_=rows.c.s)
        query = select(
            rows.c.kiosk_id,
            func.sum(case((rows.c.e > begins, _seconds(begins, rows.c.e)), else_=0.0)),
            func.sum(case((rows.c.prev_e < rows.c.s, 1), else_=0)),
            type_coerce(func.min(rows.c.s), when), type_coerce(func.max(rows.c.e), when),
        ).group_by(rows.c.kiosk_id)
        for kiosk_id, seconds, gaps, first_start, last_end in db.session.execute(query):
            found[kiosk_id] = (float(seconds or 0), int(gaps or 0), first_start, last_end)
    return found


def unit_totals(codes: set[str], period: report_rules.Period, now: datetime) -> tuple[dict, set[int]]:
    """Return the summary's uptime figures of the screens of `codes` over `period`, and the screens online in it.

    `share` is time online over time watched, all screens together (a screen counts from its first
    connection); `outages` counts the outages of all screens. The same figures as adding up
    `uptime_report`, but summed by the database (tests/services/test_uptime.py holds them equal).
    """
    start, end = period.bounds()
    kiosks = list(db.session.scalars(kiosks_of(codes, start, end)))
    ids = [k.id for k in kiosks]
    first_seen = first_connected(ids)
    closed = _closed_figures(ids, start, end)
    still_open: dict[int, tuple[datetime, datetime]] = {}
    for first in range(0, len(ids), _CHUNK):
        still_open.update((row.kiosk_id, (row.started_at, row.last_heard_at)) for row in db.session.execute(
            select(KioskSession.kiosk_id, KioskSession.started_at, KioskSession.last_heard_at)
            .where(KioskSession.kiosk_id.in_(ids[first:first + _CHUNK]), KioskSession.ended_at.is_(None))))
    online_total = watched_total = 0.0
    outages = 0
    shares: list[float] = []
    online_ids: set[int] = set()
    for kiosk in kiosks:
        watched = watched_span(kiosk, first_seen.get(kiosk.id), start, end, now)
        if not watched.seconds:
            continue  # never connected in the period: no uptime to speak of
        seconds, gaps, first_start, last_end = closed.get(kiosk.id, (0.0, 0, None, None))
        if kiosk.id in still_open:
            opened, heard = still_open[kiosk.id]
            begin = max(opened, watched.start, last_end or watched.start)
            stop = min(rules.effective_end(None, heard, now, WINDOW), watched.end)
            if stop > begin:
                if last_end is not None and opened > last_end:
                    gaps += 1
                seconds += (stop - begin).total_seconds()
                first_start = min(first_start, begin) if first_start else begin
                last_end = max(last_end, stop) if last_end else stop
        if first_start is None:
            outages += 1  # down all the time it was watched
        else:
            outages += gaps + (first_start > watched.start) + (last_end < watched.end)
        if seconds > 0:
            online_ids.add(kiosk.id)
        online_total += seconds
        watched_total += watched.seconds
        shares.append(report_rules.share(seconds, watched.seconds))
    figures = {
        "screens": len(shares),
        "online_hours": report_rules.hours(online_total),
        "share": report_rules.share(online_total, watched_total),
        "median_screen_share": report_rules.median(shares),
        "outages": outages,
        "screens_below_90": sum(1 for share in shares if share < 0.9),
    }
    return figures, online_ids
