"""Proof of play: storing what screens say they played, sealing it into a hash chain, checking the chain.

A play is stored once (a batch resent after a lost acknowledgement counts once) with the notice's
published version and the hash of that revision's content (domain/play_log.py), so what the record
says was shown never changes when the notice or its media is later edited or deleted.

Each screen's plays are sealed one Viet Nam day at a time into a chain of `PlayLogLink`s, by the day
they were stored (not played): a screen offline for a week sends old plays, and they belong to the
day they arrived, which is not sealed yet. The due job SEAL_JOB runs at 00:10 each day in whichever
process claims it (services/due.py) and seals every day that is over; sealing is idempotent (a day
already sealed is skipped, and the unique (screen, day) index refuses a second link).
`verify` recomputes every link from the rows and names the first one that differs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from kiosk_server.domain import play_log
from kiosk_server.extensions import db
from kiosk_server.models import DueJob, Media, Notice, NoticeRevision, PlayLogLink, PlayRecord
from kiosk_server.models.base import utcnow
from kiosk_server.services import due

MAX_PLAYED_BATCH = 500
SEAL_JOB = "plays.seal"


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
    if not (item.startswith("m") and item[1:].isdigit() and len(item) < 20):
        return None
    return db.session.scalar(select(Media.sha256).where(Media.id == int(item[1:])))


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


def record_played(kiosk_id: int, entries) -> int:
    """Store what the screen says it played; malformed entries are dropped, never trusted. Return the count."""
    if not isinstance(entries, list):
        return 0
    stored = 0
    seen: set = set()
    shown: dict[int, tuple[int | None, str | None]] = {}
    now = utcnow()
    for entry in entries[:MAX_PLAYED_BATCH]:
        parsed = _parse(entry)
        if parsed is None:
            continue
        item, started_at, duration = parsed
        # The player resends a batch whose acknowledgement was lost: each play is stored once.
        if (item, started_at) in seen or db.session.scalar(select(PlayRecord.id).where(
                PlayRecord.kiosk_id == kiosk_id, PlayRecord.item == item, PlayRecord.started_at == started_at)):
            continue
        seen.add((item, started_at))
        notice_id = int(item[1:]) if item.startswith("n") and item[1:].isdigit() else None
        if notice_id is not None and notice_id not in shown:
            shown[notice_id] = _shown(notice_id)
        version, digest = shown[notice_id] if notice_id is not None else (None, _media_hash(item))
        db.session.add(PlayRecord(kiosk_id=kiosk_id, item=item, notice_id=notice_id, started_at=started_at,
                                  duration_s=duration, notice_version=version, content_hash=digest,
                                  recorded_at=now))
        stored += 1
    db.session.commit()
    return stored


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
            plays = _plays_of(kiosk_id, day)
            digest = play_log.plays_hash(plays)
            link = PlayLogLink(kiosk_id=kiosk_id, day=day, plays=len(plays),
                               seconds=sum(p.duration_s for p in plays), plays_hash=digest, prev_hash=prev,
                               hash=play_log.link_hash(kiosk_id, day, len(plays), digest, prev), sealed_at=now)
            db.session.add(link)
            prev = link.hash
            made += 1
        db.session.commit()  # one screen at a time: a failure leaves the screens before it sealed
    return made


def ensure_sealing_scheduled(now: datetime | None = None) -> None:
    """Store the daily sealing job unless one is waiting (called as a serving process starts)."""
    if db.session.scalar(select(func.count(DueJob.id)).where(DueJob.kind == SEAL_JOB)):
        db.session.rollback()
        return
    due.schedule(SEAL_JOB, {}, now or utcnow())  # catch up now on days that ended while nothing ran
    db.session.commit()


@due.handler(SEAL_JOB)
def _seal_job(payload: dict) -> None:
    now = utcnow()
    seal(now=now)
    # The job running now is still stored (it is deleted once done): only a later one counts.
    if not db.session.scalar(select(func.count(DueJob.id)).where(DueJob.kind == SEAL_JOB, DueJob.due_at > now)):
        due.schedule(SEAL_JOB, {}, play_log.next_seal_time(now))


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


def _check_chain(kiosk_id: int, links: Iterable[PlayLogLink]) -> BadLink | None:
    prev = play_log.GENESIS
    last_day = None
    for link in links:
        if link.prev_hash != prev:
            return BadLink(kiosk_id, link.day, f"prev_hash {link.prev_hash[:12]}… không khớp mắt xích trước "
                                               f"({prev[:12]}…): một mắt xích đã bị xóa hoặc sửa")
        plays = _plays_of(kiosk_id, link.day)
        if len(plays) != link.plays:
            return BadLink(kiosk_id, link.day, f"số lượt phát {len(plays)} khác số đã niêm phong {link.plays}")
        digest = play_log.plays_hash(plays)
        if digest != link.plays_hash:
            return BadLink(kiosk_id, link.day, f"hash lượt phát {digest[:12]}… khác hash đã niêm phong "
                                               f"{link.plays_hash[:12]}…: một lượt phát đã bị sửa")
        expected = play_log.link_hash(kiosk_id, link.day, link.plays, link.plays_hash, link.prev_hash)
        if expected != link.hash:
            return BadLink(kiosk_id, link.day, f"hash mắt xích {link.hash[:12]}… khác giá trị tính lại "
                                               f"{expected[:12]}…")
        prev, last_day = link.hash, link.day
    if last_day is not None:
        # Plays stored on a day before the last sealed one, yet on no link: added after sealing.
        _, end = play_log.day_bounds(last_day)
        days = {link.day for link in links}
        for at in db.session.scalars(select(PlayRecord.recorded_at).where(
                PlayRecord.kiosk_id == kiosk_id, PlayRecord.recorded_at < end)):
            if play_log.vn_day(at) not in days:
                return BadLink(kiosk_id, play_log.vn_day(at), "có lượt phát trong một ngày đã qua mà không được "
                                                               "niêm phong")
    return None


def verify() -> tuple[int, BadLink | None]:
    """Walk every screen's chain; return how many links were checked and the first bad one (None if intact)."""
    kiosk_ids = db.session.scalars(select(PlayLogLink.kiosk_id).distinct().order_by(PlayLogLink.kiosk_id)).all()
    checked = 0
    for kiosk_id in kiosk_ids:
        links = list(db.session.scalars(select(PlayLogLink).where(PlayLogLink.kiosk_id == kiosk_id)
                                        .order_by(PlayLogLink.day)))
        bad = _check_chain(kiosk_id, links)
        if bad is not None:
            return checked, bad
        checked += len(links)
    db.session.rollback()
    return checked, None


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
