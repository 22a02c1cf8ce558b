"""Proof of play: storing what screens say they played, sealing it into a hash chain, checking the chain.

A play is stored once (a batch resent after a lost acknowledgement counts once) with the notice's
published version and the hash of that revision's content (domain/play_log.py), so what the record
says was shown never changes when the notice or its media is later edited or deleted.

Each screen's plays are sealed one Viet Nam day at a time into a chain of `PlayLogLink`s, by the day
they were stored (not played): a screen offline for a week sends old plays, and they belong to the
day they arrived, which is not sealed yet. The due job SEAL_JOB runs at 00:10 each day in whichever
process claims it (services/core/due.py) and seals every day that is over; sealing is idempotent (a day
already sealed is skipped, and the unique (screen, day) index refuses a second link).
`verify` recomputes every link from the rows and names the first one that differs.

Storage stays bounded: the due job ROLLUP_JOB (00:40 daily) replaces the raw plays of sealed days
older than PLAY_RAW_DAYS by hourly roll-ups per screen and item (`roll_up`); the link keeps its
plays hash and gains the roll-ups' digest, so `verify` reports those days as rolled up and still
names a changed roll-up row. Every report reads play figures through `figures`, which adds whole
days from PlayDay (kept as plays are stored) and parts of days from raw plays and roll-ups, so the
figures are the same before and after a roll-up and a yearly summary reads thousands of rows, not
millions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby

from flask import current_app
from sqlalchemy import delete, func, insert, literal, select, union_all, update

from kiosk_server.domain import play_log
from kiosk_server.extensions import db
from kiosk_server.models import (
    DueJob,
    Kiosk,
    Media,
    Notice,
    NoticeRevision,
    PlayDay,
    PlayLogLink,
    PlayRecord,
    PlayRollup,
)
from kiosk_server.models.base import utcnow
from kiosk_server.models.plays import PlayLogCheckpoint
from kiosk_server.services.core import due, idempotent

MAX_PLAYED_BATCH = 500
SEAL_JOB = "plays.seal"
ROLLUP_JOB = "plays.roll_up"
ROLLUP_BATCH = 500  # sealed days rolled up per run: each run stays well inside the due job's lease
KEY = ["kiosk_id", "started_at", "item"]  # what makes a play one play (the unique index)


# --- storing ---------------------------------------------------------------------------------------


def _shown(notice_id: int) -> tuple[int | None, str | None]:
    """Return the published version of the notice and the hash of that revision's content (None, None if none)."""
    version = db.session.scalar(select(Notice.published_version).where(Notice.id == notice_id))
    if version is None:
        return None, None
    content = db.session.scalar(select(NoticeRevision.content).where(
        NoticeRevision.notice_id == notice_id, NoticeRevision.version == version))
    if content is None:
        return version, None
    media_ids = list(content.get("media_ids") or [])
    sha = {row.id: row.sha256 for row in db.session.execute(select(Media.id, Media.sha256).where(Media.id.in_(media_ids)))} \
        if media_ids else {}
    return version, play_log.content_hash(content.get("title", ""), content.get("body", ""),
                                          [sha.get(m) for m in media_ids])


def _media_hash(item: str) -> str | None:
    """Return the content hash of the media a playlist's media item ("m<media id>") played, else None.

    The media's sha256 is its content hash, so reports count a video or picture by what was shown.
    """
    media_id = media_id_of(item)
    return None if media_id is None else db.session.scalar(select(Media.sha256).where(Media.id == media_id))


def _parse(entry) -> tuple[str, datetime, float] | None:
    if not isinstance(entry, dict):
        return None
    item, started, duration = entry.get("item"), entry.get("started_at"), entry.get("duration_s")
    if not isinstance(item, str) or not isinstance(started, str) or isinstance(duration, bool) or not isinstance(
        duration, (int, float)
    ) or not 0 <= duration <= 86_400:
        return None
    try:
        started_at = datetime.fromisoformat(started.replace("Z", "+00:00"))
    except ValueError:
        return None
    if started_at.tzinfo is None:
        return None
    return item[:32], started_at, float(duration)


def notice_id_of(item: str) -> int | None:
    """Return the notice id an item names ("n<id>"), else None."""
    return _id_of(item, "n")


def media_id_of(item: str) -> int | None:
    """Return the media id a playlist's media item names ("m<id>"), else None."""
    return _id_of(item, "m")


def _id_of(item: str, prefix: str) -> int | None:
    # An id past the column's range names nothing (and causes no database error).
    if item.startswith(prefix) and item[1:].isdigit() and len(item) <= 11 and int(item[1:]) < 2**31:
        return int(item[1:])
    return None


def parse_batch(entries) -> dict[tuple[datetime, str], float]:
    """Return the well-formed plays of a batch as {(start, item): seconds}; malformed entries are left out.

    At most MAX_PLAYED_BATCH entries are read; a play sent twice in one batch counts once.
    """
    if not isinstance(entries, list):
        return {}
    parsed: dict[tuple[datetime, str], float] = {}
    for entry in entries[:MAX_PLAYED_BATCH]:
        found = _parse(entry)
        if found is not None:
            item, started_at, duration = found
            parsed.setdefault((started_at, item), duration)
    return parsed


def record_played(kiosk_id: int, entries) -> int:
    """Store plays as given (malformed entries dropped); return the count stored.

    Trusted callers only (seeds, imports, tests): what a screen reports goes through
    services/reports/played.py, which keeps only the plays it may believe.
    """
    return store_plays(kiosk_id, parse_batch(entries))


def store_plays(kiosk_id: int, parsed: dict[tuple[datetime, str], float]) -> int:
    """Store parsed plays of one screen and add them to its PlayDay figures; return the count stored.

    A play is its (screen, start, item): the player resends a batch whose acknowledgement was lost,
    and a screen that reconnects may send it through two sessions at once; the unique key lets the
    database store it once (services/core/idempotent.py), and only rows actually stored add to PlayDay.
    """
    if not parsed:
        db.session.commit()
        return 0
    shown: dict[int, tuple[int | None, str | None]] = {}
    media_shown: dict[str, str | None] = {}  # a loop plays the same video many times in one batch
    now = utcnow()
    rows = []
    # One order for every session, so two inserting the same plays never wait on each other in a cycle.
    for (started_at, item), duration in sorted(parsed.items()):
        notice_id = notice_id_of(item)
        if notice_id is not None and notice_id not in shown:
            shown[notice_id] = _shown(notice_id)
        if notice_id is None and item not in media_shown:
            media_shown[item] = _media_hash(item)
        version, digest = shown[notice_id] if notice_id is not None else (None, media_shown[item])
        rows.append({"kiosk_id": kiosk_id, "item": item, "notice_id": notice_id, "started_at": started_at,
                     "duration_s": duration, "notice_version": version, "content_hash": digest, "recorded_at": now})
    stored = idempotent.insert_new(PlayRecord, rows, KEY, [PlayRecord.started_at, PlayRecord.duration_s])
    days: dict[date, list] = {}
    for started_at, duration in stored:
        figures = days.setdefault(play_log.vn_day(started_at), [0, 0.0])
        figures[0] += 1
        figures[1] += duration
    idempotent.add_to_counters(PlayDay, [{"kiosk_id": kiosk_id, "day": day, "plays": n, "seconds": sec}
                                         for day, (n, sec) in sorted(days.items())], ["kiosk_id", "day"],
                               ["plays", "seconds"])
    db.session.commit()
    return len(stored)


# --- sealing ---------------------------------------------------------------------------------------


def _as_play(row: PlayRecord) -> play_log.Play:
    return play_log.Play(id=row.id, item=row.item, notice_id=row.notice_id, notice_version=row.notice_version,
                         content_hash=row.content_hash, started_at=row.started_at, duration_s=row.duration_s,
                         recorded_at=row.recorded_at)


def _plays_of(kiosk_id: int, day: date) -> list[play_log.Play]:
    start, end = play_log.day_bounds(day)
    rows = db.session.scalars(select(PlayRecord).where(
        PlayRecord.kiosk_id == kiosk_id, PlayRecord.recorded_at >= start, PlayRecord.recorded_at < end)
        .order_by(PlayRecord.id))
    return [_as_play(row) for row in rows]


def _last_link(kiosk_id: int) -> PlayLogLink | None:
    return db.session.scalar(select(PlayLogLink).where(PlayLogLink.kiosk_id == kiosk_id)
                             .order_by(PlayLogLink.day.desc()).limit(1))


def seal(through: date | None = None, now: datetime | None = None) -> int:
    """Seal every screen's unsealed days up to `through` (default: yesterday in Viet Nam); return the links made.

    Only days that are over can be sealed: a later play would otherwise land on a sealed day.
    """
    now = now or utcnow()
    today = play_log.vn_day(now)
    through = through or today - timedelta(days=1)
    if through >= today:
        raise ValueError(f"day {through} is not over yet")
    _, end = play_log.day_bounds(through)
    made = 0
    kiosk_ids = db.session.scalars(select(PlayRecord.kiosk_id).distinct().where(PlayRecord.recorded_at < end)
                                   .order_by(PlayRecord.kiosk_id)).all()
    for kiosk_id in kiosk_ids:
        last = _last_link(kiosk_id)
        start = play_log.day_bounds(last.day)[1] if last else None
        query = select(PlayRecord.recorded_at).where(PlayRecord.kiosk_id == kiosk_id, PlayRecord.recorded_at < end)
        if start is not None:
            query = query.where(PlayRecord.recorded_at >= start)
        days = sorted({play_log.vn_day(at) for at in db.session.scalars(query)})
        prev = last.hash if last else play_log.GENESIS
        for day in days:
            link = _link(kiosk_id, day, _plays_of(kiosk_id, day), prev)
            link.sealed_at = now
            db.session.add(link)
            prev = link.hash
            made += 1
        db.session.commit()  # one screen at a time: a failure leaves the screens before it sealed
    return made


def _link(kiosk_id: int, day: date, plays: list[play_log.Play], prev: str) -> PlayLogLink:
    """Return the link that seals one screen's plays of one day: their hash, their roll-ups' digest, their daily figures."""
    digest = play_log.plays_hash(plays)
    rollup_digest = play_log.rollups_hash(play_log.roll_up(plays))
    figures = play_log.day_figures(plays)
    return PlayLogLink(kiosk_id=kiosk_id, day=day, plays=len(plays), seconds=sum(p.duration_s for p in plays),
                       plays_hash=digest, prev_hash=prev, rollup_hash=rollup_digest,
                       figures=play_log.canonical_json(figures).decode(),
                       hash=play_log.link_hash(kiosk_id, day, len(plays), digest, prev, rollup_hash=rollup_digest,
                                               figures=figures))


def _ensure_job(kind: str, now: datetime) -> None:
    if not db.session.scalar(select(func.count(DueJob.id)).where(DueJob.kind == kind)):
        due.schedule(kind, {}, now)  # catch up now on days that ended while nothing ran


def _schedule_next(kind: str, now: datetime, at: datetime) -> None:
    # The job running now is still stored (it is deleted once done): only a later one counts.
    if not db.session.scalar(select(func.count(DueJob.id)).where(DueJob.kind == kind, DueJob.due_at > now)):
        due.schedule(kind, {}, at)


def ensure_daily_jobs_scheduled(now: datetime | None = None) -> None:
    """Store the daily seal and roll-up jobs unless they are waiting (called as a serving process starts)."""
    now = now or utcnow()
    _ensure_job(SEAL_JOB, now)
    _ensure_job(ROLLUP_JOB, now)
    db.session.commit()


@due.handler(SEAL_JOB)
def _seal_job(payload: dict) -> None:
    now = utcnow()
    seal(now=now)
    _schedule_next(SEAL_JOB, now, play_log.next_seal_time(now))


# --- rolling up ------------------------------------------------------------------------------------


def raw_days() -> int:
    """Return how many days raw plays are kept before they are rolled up (PLAY_RAW_DAYS, at least 1)."""
    return max(1, int(current_app.config.get("PLAY_RAW_DAYS", 90)))


def roll_up(now: datetime | None = None, limit: int = ROLLUP_BATCH) -> int:
    """Replace the raw plays of sealed days older than PLAY_RAW_DAYS by hourly roll-ups; return the days done.

    Only sealed days, one screen-day per transaction: the link is claimed by a conditional update
    (a second process rolling up at once updates nothing and moves on), the day's plays are checked
    against the seal first (a day that no longer matches is left as it is, for verify-log to name),
    then the roll-ups are stored, the plays deleted and the roll-ups' digest kept on the link.
    PlayDay is untouched, so every report gives the same figures before and after.
    """
    now = now or utcnow()
    before = play_log.vn_day(now) - timedelta(days=raw_days())
    candidates = db.session.execute(
        select(PlayLogLink.id, PlayLogLink.kiosk_id, PlayLogLink.day)
        .where(PlayLogLink.day < before, PlayLogLink.rolled_up_at.is_(None))
        .order_by(PlayLogLink.day, PlayLogLink.kiosk_id).limit(limit)).all()
    db.session.commit()
    done = 0
    for link_id, kiosk_id, day in candidates:
        claimed = db.session.execute(
            update(PlayLogLink).where(PlayLogLink.id == link_id, PlayLogLink.rolled_up_at.is_(None))
            .values(rolled_up_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        link = db.session.get(PlayLogLink, link_id)
        plays = _plays_of(kiosk_id, day)
        if len(plays) != link.plays or play_log.plays_hash(plays) != link.plays_hash:
            db.session.rollback()
            current_app.logger.warning("play log of screen %s on %s does not match its seal; not rolled up",
                                       kiosk_id, day)
            continue
        rollups = play_log.roll_up(plays)
        if rollups:
            db.session.execute(insert(PlayRollup), [
                {"kiosk_id": kiosk_id, "day": day, "hour": r.hour, "item": r.item, "notice_id": r.notice_id,
                 "notice_version": r.notice_version, "content_hash": r.content_hash, "plays": r.plays,
                 "seconds": r.seconds, "first_started": r.first_started, "last_started": r.last_started,
                 "rows_hash": r.rows_hash} for r in rollups])
        start, end = play_log.day_bounds(day)
        db.session.execute(delete(PlayRecord).where(PlayRecord.kiosk_id == kiosk_id, PlayRecord.recorded_at >= start,
                                                    PlayRecord.recorded_at < end)
                           .execution_options(synchronize_session=False))
        if link.figures is None:  # sealed before 0016: the digest is kept now, unsealed
            db.session.execute(update(PlayLogLink).where(PlayLogLink.id == link_id)
                               .values(rollup_hash=play_log.rollups_hash(rollups))
                               .execution_options(synchronize_session=False))
        db.session.commit()
        done += 1
    return done


@due.handler(ROLLUP_JOB)
def _roll_up_job(payload: dict) -> None:
    now = utcnow()
    done = roll_up(now=now)
    # A full batch means more days wait: go on at once (a fresh lease) instead of tomorrow.
    at = now if done >= ROLLUP_BATCH else play_log.next_seal_time(now, time(0, 40))
    _schedule_next(ROLLUP_JOB, now, at)


# --- verifying -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadLink:
    """The first link of a chain that does not match the rows: which screen, which day, what differs."""

    kiosk_id: int
    day: date
    problem: str


@dataclass(frozen=True)
class ChainHead:
    """The newest link of a screen's chain: what a posting record relies on."""

    kiosk_id: int
    day: date
    hash: str


@dataclass
class Verified:
    """What `verify` checked: links, of which rolled up, of which reread against their rows, and the first bad link."""

    links: int = 0
    rolled_up: int = 0
    reread: int = 0
    bad: BadLink | None = None


_PLAY_COLUMNS = (PlayRecord.id, PlayRecord.item, PlayRecord.notice_id, PlayRecord.notice_version,
                 PlayRecord.content_hash, PlayRecord.started_at, PlayRecord.duration_s, PlayRecord.recorded_at)


def _raw_days(kiosk_id: int, since: date | None) -> Iterator[tuple[date, list[play_log.Play]]]:
    """Yield one screen's raw plays stored from day `since` on (None: all), grouped by that day, oldest first (streamed)."""
    query = select(*_PLAY_COLUMNS).where(PlayRecord.kiosk_id == kiosk_id)
    if since is not None:
        query = query.where(PlayRecord.recorded_at >= play_log.day_bounds(since)[0])
    rows = db.session.execute(query.order_by(PlayRecord.recorded_at, PlayRecord.id).execution_options(yield_per=5000))
    plays = (play_log.Play(*row) for row in rows)
    for day, group in groupby(plays, key=lambda p: play_log.vn_day(p.recorded_at)):
        yield day, list(group)


def _rollups(kiosk_id: int, since: date | None) -> dict[date, list[play_log.Rollup]]:
    query = select(
        PlayRollup.day, PlayRollup.hour, PlayRollup.item, PlayRollup.notice_id, PlayRollup.notice_version,
        PlayRollup.content_hash, PlayRollup.plays, PlayRollup.seconds, PlayRollup.first_started,
        PlayRollup.last_started, PlayRollup.rows_hash).where(PlayRollup.kiosk_id == kiosk_id)
    if since is not None:
        query = query.where(PlayRollup.day >= since)
    found: dict[date, list[play_log.Rollup]] = {}
    for day, *fields in db.session.execute(query):
        found.setdefault(day, []).append(play_log.Rollup(*fields))
    return found


def _sealed_figures(link: PlayLogLink) -> list | None:
    """Return the daily figures sealed into a link (None for a link sealed before 0016)."""
    return json.loads(link.figures) if link.figures is not None else None


def _check_rows(link: PlayLogLink, plays: list[play_log.Play], rollups: list[play_log.Rollup]) -> str | None:
    """Return what is wrong between one link and its rows (plays or roll-ups, and its sealed daily figures)."""
    if link.rolled_up_at is not None:
        if plays:
            return f"có {len(plays)} lượt phát gốc trong một ngày đã gộp: được thêm sau khi gộp"
        count = sum(r.plays for r in rollups)
        if count != link.plays:
            return f"số lượt phát trong các dòng gộp {count} khác số đã niêm phong {link.plays}"
        digest = play_log.rollups_hash(rollups)
        if digest != link.rollup_hash:
            return (f"hash các dòng gộp {digest[:12]}… khác hash giữ lại khi gộp "
                    f"{(link.rollup_hash or '')[:12]}…: một dòng gộp đã bị sửa")
    else:
        if rollups:
            return f"có {len(rollups)} dòng gộp cho một ngày chưa gộp"
        if len(plays) != link.plays:
            return f"số lượt phát {len(plays)} khác số đã niêm phong {link.plays}"
        digest = play_log.plays_hash(plays)
        if digest != link.plays_hash:
            return (f"hash lượt phát {digest[:12]}… khác hash đã niêm phong {link.plays_hash[:12]}…: một lượt phát "
                    f"đã bị sửa")
    sealed = _sealed_figures(link)
    found = play_log.rollup_figures(rollups) if link.rolled_up_at is not None else play_log.day_figures(plays)
    if sealed is not None and not play_log.same_figures(found, sealed):
        return "số liệu ngày đã niêm phong trong mắt xích khác số tính lại từ các dòng"
    return None


def _check_link(link: PlayLogLink, prev: str, plays: list[play_log.Play], rollups: list[play_log.Rollup],
                reread: bool) -> str | None:
    """Return what is wrong with one link (its rows too when `reread`), None if it matches."""
    if link.prev_hash != prev:
        return (f"prev_hash {link.prev_hash[:12]}… không khớp mắt xích trước ({prev[:12]}…): một mắt xích đã bị "
                f"xóa hoặc sửa")
    problem = _check_rows(link, plays, rollups) if reread else None
    if problem:
        return problem
    expected = play_log.link_hash(link.kiosk_id, link.day, link.plays, link.plays_hash, link.prev_hash,
                                  rollup_hash=link.rollup_hash, figures=_sealed_figures(link))
    if expected != link.hash:
        return f"hash mắt xích {link.hash[:12]}… khác giá trị tính lại {expected[:12]}…"
    return None


def _add_figures(figures: dict[date, list], parts: Iterable[tuple[date, int, float]]) -> None:
    for day, plays, seconds in parts:
        entry = figures.setdefault(day, [0, 0.0])
        entry[0] += plays
        entry[1] += seconds


def _link_figures(link: PlayLogLink, plays: list[play_log.Play], rollups: list[play_log.Rollup]) -> list:
    """Return what a link adds to PlayDay: its sealed figures, or (sealed before 0016) its rows added up."""
    sealed = _sealed_figures(link)
    if sealed is not None:
        return [(date.fromisoformat(day), n, seconds) for day, n, seconds in sealed]
    return ([(play_log.vn_day(p.started_at), 1, p.duration_s) for p in plays]
            + [(play_log.vn_day(r.hour), r.plays, r.seconds) for r in rollups])


def _check_chain(kiosk_id: int, links: list[PlayLogLink], since: date | None, result: Verified) -> BadLink | None:
    """Walk one screen's chain (rows from day `since` on, None: all) and then its daily figures (PlayDay).

    Every link's hash is recomputed (links are few); plays and roll-ups are reread only from `since`.
    """
    rollups = _rollups(kiosk_id, since)
    figures: dict[date, list] = {}
    raw = _raw_days(kiosk_id, since)
    pending = next(raw, None)
    prev = play_log.GENESIS
    for link in links:
        reread = since is None or link.day >= since
        plays: list[play_log.Play] = []
        if reread and link.prev_hash == prev and pending is not None and pending[0] <= link.day:
            if pending[0] < link.day:  # stored on a day before a sealed one, yet on no link: added after sealing
                return BadLink(kiosk_id, pending[0], "có lượt phát trong một ngày đã qua mà không được niêm phong")
            plays, pending = pending[1], next(raw, None)
        day_rollups = rollups.get(link.day, []) if reread else []
        problem = _check_link(link, prev, plays, day_rollups, reread)
        if problem:
            return BadLink(kiosk_id, link.day, problem)
        _add_figures(figures, _link_figures(link, plays, day_rollups))
        result.links += 1
        result.rolled_up += link.rolled_up_at is not None
        result.reread += reread
        prev = link.hash
    stray = sorted(set(rollups) - {link.day for link in links})
    if stray:
        return BadLink(kiosk_id, stray[0], "có dòng gộp cho một ngày không được niêm phong")
    while pending is not None:  # the days not sealed yet
        _add_figures(figures, [(play_log.vn_day(p.started_at), 1, p.duration_s) for p in pending[1]])
        pending = next(raw, None)
    return _check_figures(kiosk_id, figures)


def _check_figures(kiosk_id: int, figures: dict[date, list]) -> BadLink | None:
    """Name the first day whose PlayDay row differs from the plays and roll-ups it adds up."""
    stored = {row.day: (row.plays, row.seconds) for row in db.session.execute(
        select(PlayDay.day, PlayDay.plays, PlayDay.seconds).where(PlayDay.kiosk_id == kiosk_id))}
    for day in sorted(set(stored) | set(figures)):
        plays, seconds = figures.get(day, (0, 0.0))
        kept_plays, kept_seconds = stored.get(day, (0, 0.0))
        # Seconds are added in another order than the rows were stored in: equal up to float rounding.
        if plays != kept_plays or abs(seconds - kept_seconds) > 1e-6 * max(1.0, abs(seconds)):
            return BadLink(kiosk_id, day, f"số liệu ngày (theo giờ bắt đầu phát) {kept_plays} lượt, "
                                          f"{kept_seconds:.1f} giây khác số tính lại {plays} lượt, {seconds:.1f} giây")
    return None


def _check_checkpoint(kiosk_id: int, links: list[PlayLogLink], checkpoint: PlayLogCheckpoint | None) -> BadLink | None:
    """Name the checkpoint's link if it is gone or its hash changed since it was verified: the chain was rewritten."""
    if checkpoint is None:
        return None
    link = next((link for link in links if link.day == checkpoint.day), None)
    if link is None or link.hash != checkpoint.hash:
        return BadLink(kiosk_id, checkpoint.day, f"mắt xích đã kiểm tra lúc {checkpoint.verified_at:%d/%m/%Y %H:%M} "
                                                 f"(hash {checkpoint.hash[:12]}…) đã bị xóa hoặc thay đổi: chuỗi đã bị "
                                                 f"viết lại")
    return None


def _reread_from(links: list[PlayLogLink], checkpoint: PlayLogCheckpoint | None, full: bool) -> date | None:
    """Return the first day whose rows must be reread (None: all): after the checkpoint, or a link sealed before 0016."""
    if full or checkpoint is None:
        return None
    since = checkpoint.day + timedelta(days=1)
    legacy = [link.day for link in links if link.figures is None]
    return min([since, *legacy])


def verify(full: bool = False) -> Verified:
    """Walk every screen's chain; return how many links were checked, rolled up and reread, and the first bad one.

    Every link's hash is recomputed and every PlayDay row checked against the sealed figures; the plays
    and roll-ups are reread only after each screen's checkpoint (all of them with `full`). A screen
    whose chain matches gets its newest link as checkpoint.
    """
    # Every screen (plays and daily figures belong to one), and chains whose screen row was deleted.
    kiosk_ids = db.session.scalars(select(Kiosk.id).union(select(PlayLogLink.kiosk_id))).all()
    result = Verified()
    now = utcnow()
    for kiosk_id in sorted(set(kiosk_ids)):
        links = list(db.session.scalars(select(PlayLogLink).where(PlayLogLink.kiosk_id == kiosk_id)
                                        .order_by(PlayLogLink.day)))
        checkpoint = db.session.get(PlayLogCheckpoint, kiosk_id)
        result.bad = (_check_checkpoint(kiosk_id, links, checkpoint)
                      or _check_chain(kiosk_id, links, _reread_from(links, checkpoint, full), result))
        if result.bad is not None:
            break
        if links:
            db.session.merge(PlayLogCheckpoint(kiosk_id=kiosk_id, day=links[-1].day, hash=links[-1].hash,
                                               verified_at=now))
        db.session.commit()
        db.session.expunge_all()  # a year of links is read once; keep memory flat
    db.session.rollback()
    return result


def chain_heads(kiosk_ids: Iterable[int]) -> dict[int, ChainHead]:
    """Return the newest link of each given screen's chain (screens with no sealed day are left out)."""
    ids = sorted(set(kiosk_ids))
    if not ids:
        return {}
    newest = select(PlayLogLink.kiosk_id, func.max(PlayLogLink.day).label("day")).where(
        PlayLogLink.kiosk_id.in_(ids)).group_by(PlayLogLink.kiosk_id).subquery()
    rows = db.session.execute(select(PlayLogLink.kiosk_id, PlayLogLink.day, PlayLogLink.hash).join(
        newest, (newest.c.kiosk_id == PlayLogLink.kiosk_id) & (newest.c.day == PlayLogLink.day)))
    return {row.kiosk_id: ChainHead(row.kiosk_id, row.day, row.hash) for row in rows}


# --- reading figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Plays and seconds shown in a span of time, and the screens that played in it."""

    plays: int
    seconds: float
    kiosk_ids: frozenset[int]


def _spans(start: datetime, end: datetime) -> tuple[date, date, list, list]:
    """Split [start, end) into whole Viet Nam days [first, last) read from PlayDay, spans to add, spans to subtract.

    A span that ends inside a day (a dashboard's "today until now") is that day's PlayDay minus the
    plays started after `end`: few rows, where adding up the day itself would read them all.
    """
    d0 = play_log.vn_day(start)
    aligned = play_log.day_bounds(d0)[0] == start
    first = d0 if aligned else d0 + timedelta(days=1)
    add = [] if aligned else [(start, min(end, play_log.day_bounds(d0)[1]))]
    if end <= play_log.day_bounds(first)[0]:
        return first, first, add, []
    d1 = play_log.vn_day(end)
    if play_log.day_bounds(d1)[0] == end:
        return first, d1, add, []
    return first, d1 + timedelta(days=1), add, [(end, play_log.day_bounds(d1)[1])]


def figures(unit_codes: set[str] | None, start: datetime, end: datetime) -> Figures:
    """Return plays, seconds and playing screens for plays started in [start, end) on screens of `unit_codes` (None: all).

    Exact whether the plays are raw or rolled up: whole days come from PlayDay (kept as plays are
    stored, never changed by a roll-up), the parts of days from raw plays and roll-ups (roll-ups by
    the hour they started in, exact for spans on whole hours, as every report's are).
    """
    if end <= start:
        return Figures(0, 0.0, frozenset())
    first, last, add, subtract = _spans(start, end)
    parts = [select(PlayDay.kiosk_id, PlayDay.plays.label("plays"), PlayDay.seconds.label("seconds"))
             .where(PlayDay.day >= first, PlayDay.day < last)]
    for (a, b), sign in [(span, 1) for span in add] + [(span, -1) for span in subtract]:
        parts.append(select(PlayRecord.kiosk_id, literal(sign).label("plays"), (PlayRecord.duration_s * sign).label("seconds"))
                     .where(PlayRecord.started_at >= a, PlayRecord.started_at < b))
        parts.append(select(PlayRollup.kiosk_id, (PlayRollup.plays * sign).label("plays"),
                            (PlayRollup.seconds * sign).label("seconds"))
                     .where(PlayRollup.hour >= a, PlayRollup.hour < b))
    rows = union_all(*parts).subquery()
    query = select(rows.c.kiosk_id, func.sum(rows.c.plays), func.sum(rows.c.seconds)).group_by(rows.c.kiosk_id)
    if unit_codes is not None:
        query = query.join(Kiosk, Kiosk.id == rows.c.kiosk_id).where(Kiosk.unit_code.in_(unit_codes))
    plays, seconds, kiosk_ids = 0, 0.0, set()
    for kiosk_id, count, shown in db.session.execute(query):
        if count:
            plays += int(count)
            seconds += float(shown or 0.0)
            kiosk_ids.add(kiosk_id)
    return Figures(plays, seconds, frozenset(kiosk_ids))
