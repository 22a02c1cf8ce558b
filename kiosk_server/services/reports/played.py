"""What a screen says it played, kept only where it can be true: the `played` event's checks before storing.

A kiosk token is an attacker's foothold (a stolen screen, or one an editor minted by pairing), so a
report of plays is a claim, not evidence. A play is stored (services/reports/plays.py) only when:
- its item was in a manifest sent to this screen: a published notice whose targets reach the screen,
  or that a published playlist reaching it plays; a media file of such a playlist or such a notice;
- it started within [the later of the screen's creation and the item's first approval, now + 5 min]
  (domain/play_rules.py);
- the screen's plays of that Viet Nam day stay within the day's wall time (durations cut to fit);
- the screen stays within PLAYED_RATE_LIMIT records a minute (the limiter's storage, shared by every
  process when Redis is configured).
Reachability is read as it stands when the report arrives; a screen that was offline while a notice
expired or was withdrawn reports those plays too late, and they are refused like any other.

A refused play is dropped and counted (`bangtin_plays_refused_total{reason}`), never stored. The
answer tells the player the batch was handled (`ok: true`), refused plays included, so it leaves the
queue instead of being resent forever; over the rate limit the answer is `ok: false` and the player
keeps the batch for its next flush (kiosk_client/player/report.js).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from flask import current_app
from limits import parse as parse_limit
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError
from sqlalchemy import and_, func, select

from kiosk_server.domain import play_log, play_rules
from kiosk_server.extensions import db, limiter
from kiosk_server.models import AuditEntry, Notice, PlayDay, Playlist, notice_media
from kiosk_server.models.base import utcnow
from kiosk_server.models.kiosks import kiosk_group_members
from kiosk_server.models.playlists import playlist_members
from kiosk_server.services.core import metrics, scope
from kiosk_server.services.reports import plays
from kiosk_server.services.screens import targeting


@dataclass(frozen=True, slots=True)
class Screen:
    """The facts about the reporting screen the checks need (known from its connection)."""

    kiosk_id: int
    unit_code: str
    created_at: datetime


def receive(screen: Screen, entries, now: datetime | None = None) -> dict:
    """Store the plays of a `played` batch that can be true; return the answer for the screen.

    `{"ok": True, "stored": n, "refused": m}` once handled, `{"ok": False}` over the rate limit
    (nothing read, nothing stored: the player sends the batch again later).
    """
    cost = min(len(entries), plays.MAX_PLAYED_BATCH) if isinstance(entries, list) else 1
    if not _within_rate(screen.kiosk_id, max(1, cost)):
        metrics.PLAYS_REFUSED.labels("rate_limited").inc(cost)
        return {"ok": False}
    now = now or utcnow()
    parsed = plays.parse_batch(entries)
    refused = {"malformed": cost - len(parsed)} if isinstance(entries, list) else {}
    earliest = _earliest_plays(screen, {item for _, item in parsed})
    believable = {}
    for (started_at, item), seconds in sorted(parsed.items()):
        if play_rules.in_window(started_at, earliest.get(item), now):
            believable[(started_at, item)] = seconds
        else:
            _count(refused, "not_sent" if earliest.get(item) is None else "out_of_window")
    used = _seconds_stored(screen.kiosk_id, {play_log.vn_day(started_at) for started_at, _ in believable})
    kept = play_rules.fit_to_wall_time([(started_at, seconds) for (started_at, _), seconds in believable.items()], used)
    accepted = {}
    for key, seconds in zip(believable, kept, strict=True):
        if seconds > 0:
            accepted[key] = seconds
        else:
            _count(refused, "over_wall_time")
    stored = plays.store_plays(screen.kiosk_id, accepted)
    for reason, count in refused.items():
        if count:
            metrics.PLAYS_REFUSED.labels(reason).inc(count)
    return {"ok": True, "stored": stored, "refused": sum(refused.values())}


def _count(refused: dict[str, int], reason: str) -> None:
    refused[reason] = refused.get(reason, 0) + 1


# While the shared storage (Redis) does not answer, this process counts a screen's plays in its own memory,
# as Flask-Limiter's in-memory fallback does for routes (a socket event is not a request it sees).
_LOCAL_RATE = FixedWindowRateLimiter(MemoryStorage())


def _within_rate(kiosk_id: int, cost: int) -> bool:
    limit = parse_limit(current_app.config["PLAYED_RATE_LIMIT"])
    try:
        return limiter.limiter.hit(limit, "kiosk-played", str(kiosk_id), cost=cost)
    except RedisError:
        current_app.logger.warning("rate limit storage unreachable: plays of screen %s counted in this process", kiosk_id)
        return _LOCAL_RATE.hit(limit, "kiosk-played", str(kiosk_id), cost=cost)


def _seconds_stored(kiosk_id: int, days: set[date]) -> dict[date, float]:
    if not days:
        return {}
    return {day: float(seconds) for day, seconds in db.session.execute(
        select(PlayDay.day, PlayDay.seconds).where(PlayDay.kiosk_id == kiosk_id, PlayDay.day.in_(days)))}


def _earliest_plays(screen: Screen, items: set[str]) -> dict[str, datetime]:
    """Return, for each item that reached the screen, the first moment it could have played there."""
    notice_ids = {n for n in map(plays.notice_id_of, items) if n is not None}
    media_ids = {m for m in map(plays.media_id_of, items) if m is not None}
    if not notice_ids and not media_ids:
        return {}
    groups = [SimpleNamespace(id=g) for g in db.session.scalars(
        select(kiosk_group_members.c.group_id).where(kiosk_group_members.c.kiosk_id == screen.kiosk_id))]
    kiosk = SimpleNamespace(id=screen.kiosk_id, unit_code=screen.unit_code, groups=groups)
    chain = scope.ancestor_codes(screen.unit_code)
    playlist_ids = set(targeting.playlist_ids_for(kiosk, chain))
    in_playlists = _published_members(playlist_ids)
    reached = (set(targeting.notice_ids_for(kiosk, chain)) | {n for _, n, _ in in_playlists if n is not None})
    notices = _published(Notice, reached)
    holders: dict[str, set[tuple[str, int]]] = {f"n{n}": {("notice", n)} for n in notices if n in notice_ids}
    for playlist_id, _, media_id in in_playlists:
        if media_id in media_ids:
            holders.setdefault(f"m{media_id}", set()).add(("playlist", playlist_id))
    for notice_id, media_id in _notice_media(set(notices), media_ids):
        holders.setdefault(f"m{media_id}", set()).add(("notice", notice_id))
    approved = _first_approvals(notices, _published(Playlist, playlist_ids))
    earliest = {}
    for item, by in holders.items():
        moment = play_rules.earliest_play(screen.created_at, (approved.get(holder) for holder in by))
        if moment is not None:
            earliest[item] = moment
    return earliest


def _published_members(playlist_ids: set[int]) -> list[tuple[int, int | None, int | None]]:
    """Return (playlist, notice, media) of what the published versions of these playlists play."""
    if not playlist_ids:
        return []
    return [tuple(row) for row in db.session.execute(
        select(playlist_members.c.playlist_id, playlist_members.c.notice_id, playlist_members.c.media_id)
        .where(playlist_members.c.playlist_id.in_(playlist_ids), playlist_members.c.slot == "published"))]


def _published(model, ids: Iterable[int]) -> dict[int, datetime | None]:
    """Return {id: approved_at} of the records among `ids` that have a published version on screens."""
    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.approved_at).where(
        model.id.in_(ids), model.published_version.is_not(None))).all())


def _notice_media(notice_ids: set[int], media_ids: set[int]) -> list[tuple[int, int]]:
    if not notice_ids or not media_ids:
        return []
    return [tuple(row) for row in db.session.execute(select(notice_media.c.notice_id, notice_media.c.media_id).where(
        notice_media.c.notice_id.in_(notice_ids), notice_media.c.slot == "published",
        notice_media.c.media_id.in_(media_ids)))]


def _first_approvals(notices: dict[int, datetime | None],
                     playlists: dict[int, datetime | None]) -> dict[tuple[str, int], datetime | None]:
    """Return when each record was first approved: its earliest audited approval, else its last approval.

    `approved_at` moves with every approval, and a screen offline across a re-approval still played
    the earlier version; the audit log keeps the first.
    """
    first: dict[tuple[str, int], datetime | None] = {}
    for kind, records in (("notice", notices), ("playlist", playlists)):
        first |= {(kind, record_id): approved_at for record_id, approved_at in records.items()}
        if not records:
            continue
        audited = db.session.execute(
            select(AuditEntry.object_id, func.min(AuditEntry.at))
            .where(and_(AuditEntry.action == f"{kind}.approve", AuditEntry.object_type == kind,
                        AuditEntry.object_id.in_([str(i) for i in records])))
            .group_by(AuditEntry.object_id))
        for object_id, at in audited:
            key = (kind, int(object_id))
            first[key] = min(at, first[key]) if first[key] is not None else at
    return first
