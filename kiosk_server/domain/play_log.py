"""The hashes that make the play log evidence: what was shown, and the chain that seals each day.

Pure values only: no Flask and no database, so the rules are tested with plain values and a
verifier outside this system can recompute every hash from the rows alone.

- `content_hash`: sha256 over the canonical JSON of a published revision's title, body and the
  sha256 of each of its media files in order. A play stores it when it is stored, so a later edit or
  deletion of the notice or its media never changes what the record says was shown.
- `plays_hash`: sha256 over the canonical JSON of one screen's plays of one day, in a fixed order.
- `link_hash`: sha256 over the canonical JSON of a link (screen, day, count, plays hash and the
  previous link's hash); the first link of a screen follows GENESIS. A link sealed since migration
  0016 also covers the digest its day's roll-ups will have (`rollups_hash`, known at sealing since a
  roll-up is a pure function of the plays) and its plays' daily figures (`day_figures`), so a roll-up
  row or a PlayDay figure recomputed consistently still breaks the chain.
- `day_figures`: plays and seconds of a link's plays per Viet Nam day they started on, what the
  link adds to PlayDay.
- `roll_up`: a sealed day's plays added up per UTC hour they started in, item, version and content
  hash. Each roll-up carries `rows_hash`, the `plays_hash` of the plays it replaced, and
  `rollups_hash` seals all of a day's roll-ups; the link keeps its `plays_hash` as sealed.

Canonical JSON: keys sorted, no spaces, UTF-8 (not ASCII-escaped), times as UTC ISO 8601 with
microseconds, durations as the shortest float that reads back the same (Python's repr).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
GENESIS = "0" * 64


def canonical_json(value: object) -> bytes:
    """Return `value` as canonical JSON bytes (sorted keys, no whitespace, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sha256_hex(value: object) -> str:
    """Return the sha256 (hex) of the canonical JSON of `value`."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def content_hash(title: str, body: str, media_sha256: Iterable[str | None]) -> str:
    """Return the hash of what a notice's revision shows: its title, body and media, in order."""
    return sha256_hex({"title": title or "", "body": body or "", "media": [m or "" for m in media_sha256]})


def utc_text(moment: datetime) -> str:
    """Return `moment` as UTC ISO 8601 with microseconds, the one form a hash ever sees."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    # isoformat is several times faster than strftime and writes the same digits ("…+00:00" -> "…Z");
    # verify-log formats every play of a year with it.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


@dataclass(frozen=True)
class Play:
    """One stored play as the chain sees it (every column that says what was shown, where and when)."""

    id: int
    item: str
    notice_id: int | None
    notice_version: int | None
    content_hash: str | None
    started_at: datetime
    duration_s: float
    recorded_at: datetime

    def canonical(self) -> dict:
        return {"id": self.id, "item": self.item, "notice_id": self.notice_id,
                "notice_version": self.notice_version, "content_hash": self.content_hash,
                "started_at": utc_text(self.started_at), "duration_s": float(self.duration_s),
                "recorded_at": utc_text(self.recorded_at)}


def plays_hash(plays: Iterable[Play]) -> str:
    """Return the hash of one screen's plays of one day, ordered by id (the order they were stored)."""
    return sha256_hex([p.canonical() for p in sorted(plays, key=lambda p: p.id)])


def link_hash(kiosk_id: int, day: date, plays_count: int, plays_digest: str, prev_hash: str, *,
              rollup_hash: str | None = None, figures: list | None = None) -> str:
    """Return the hash of one link of a screen's chain.

    Without `figures` it is the hash of a link sealed before the roll-up digest and the daily
    figures were sealed too (such links keep verifying as they were sealed).
    """
    sealed = {"kiosk_id": kiosk_id, "day": day.isoformat(), "plays": plays_count, "plays_hash": plays_digest,
              "prev_hash": prev_hash}
    if figures is not None:
        sealed |= {"rollup_hash": rollup_hash, "figures": figures}
    return sha256_hex(sealed)


def day_figures(plays: Iterable[Play]) -> list[list]:
    """Return [[Viet Nam day (ISO), plays, seconds], …] of plays by the day they started, seconds added in id order."""
    return _figures((vn_day(p.started_at), 1, p.duration_s) for p in sorted(plays, key=lambda p: p.id))


def rollup_figures(rollups: Iterable[Rollup]) -> list[list]:
    """Return the same daily figures added up from roll-ups (equal to `day_figures` up to float rounding)."""
    return _figures((vn_day(r.hour), r.plays, r.seconds) for r in sorted(rollups, key=Rollup.key))


def _figures(parts: Iterable[tuple[date, int, float]]) -> list[list]:
    days: dict[date, list] = {}
    for day, plays, seconds in parts:
        entry = days.setdefault(day, [0, 0.0])
        entry[0] += plays
        entry[1] += float(seconds)
    return [[day.isoformat(), plays, seconds] for day, (plays, seconds) in sorted(days.items())]


def same_figures(a: list[list], b: list[list]) -> bool:
    """Return whether two lists of daily figures agree: same days and plays, seconds equal up to float rounding."""
    return len(a) == len(b) and all(
        x[0] == y[0] and x[1] == y[1] and abs(x[2] - y[2]) <= 1e-6 * max(1.0, abs(x[2])) for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class Rollup:
    """Plays of one screen, one sealed day, one UTC hour, one item and version, added up."""

    hour: datetime
    item: str
    notice_id: int | None
    notice_version: int | None
    content_hash: str | None
    plays: int
    seconds: float
    first_started: datetime
    last_started: datetime
    rows_hash: str

    def canonical(self) -> dict:
        return {"hour": utc_text(self.hour), "item": self.item, "notice_id": self.notice_id,
                "notice_version": self.notice_version, "content_hash": self.content_hash, "plays": self.plays,
                "seconds": float(self.seconds), "first_started": utc_text(self.first_started),
                "last_started": utc_text(self.last_started), "rows_hash": self.rows_hash}

    def key(self) -> tuple:
        return (utc_text(self.hour), self.item, self.notice_version or 0, self.content_hash or "", self.rows_hash)


def hour_of(moment: datetime) -> datetime:
    """Return the start of the UTC hour `moment` falls in (Viet Nam days begin on a UTC hour: UTC+7)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def roll_up(plays: Iterable[Play]) -> list[Rollup]:
    """Return the roll-ups that stand in for one screen's plays of one sealed day, in a fixed order.

    Exact for every figure a report reads: counts, seconds (added in id order), first and last start,
    and what was shown (item, version, content hash) per hour.
    """
    groups: dict[tuple, list[Play]] = {}
    for play in sorted(plays, key=lambda p: p.id):
        key = (hour_of(play.started_at), play.item, play.notice_id, play.notice_version, play.content_hash)
        groups.setdefault(key, []).append(play)
    rollups = []
    for (hour, item, notice_id, version, digest), rows in groups.items():
        seconds = 0.0
        for row in rows:
            seconds += float(row.duration_s)
        rollups.append(Rollup(hour=hour, item=item, notice_id=notice_id, notice_version=version, content_hash=digest,
                              plays=len(rows), seconds=seconds, first_started=min(r.started_at for r in rows),
                              last_started=max(r.started_at for r in rows), rows_hash=plays_hash(rows)))
    return sorted(rollups, key=Rollup.key)


def rollups_hash(rollups: Iterable[Rollup]) -> str:
    """Return the hash of one screen's roll-ups of one sealed day (in `Rollup.key` order)."""
    return sha256_hex([r.canonical() for r in sorted(rollups, key=Rollup.key)])


def vn_day(moment: datetime) -> date:
    """Return the Viet Nam calendar day of `moment`."""
    return moment.astimezone(VN).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the half-open UTC interval [start, end) of the Viet Nam day `day`."""
    start = datetime.combine(day, time(0), VN).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(0), VN).astimezone(UTC)


def next_seal_time(now: datetime, at: time = time(0, 10)) -> datetime:
    """Return the next moment after `now` that is `at` o'clock in Viet Nam (UTC, aware)."""
    local = now.astimezone(VN)
    candidate = datetime.combine(local.date(), at, VN)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, VN)
    return candidate.astimezone(UTC)
