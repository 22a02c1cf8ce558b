"""The hashes that make the play log evidence: what was shown, and the chain that seals each day.

Pure values only: no Flask and no database, so the rules are tested with plain values and a
verifier outside this system can recompute every hash from the rows alone.

- `content_hash`: sha256 over the canonical JSON of a published revision's title, body and the
  sha256 of each of its media files in order. A play stores it when it is stored, so a later edit or
  deletion of the notice or its media never changes what the record says was shown.
- `plays_hash`: sha256 over the canonical JSON of one screen's plays of one day, in a fixed order.
- `link_hash`: sha256 over the canonical JSON of a link (screen, day, count, plays hash and the
  previous link's hash); the first link of a screen follows GENESIS.

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
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def link_hash(kiosk_id: int, day: date, plays_count: int, plays_digest: str, prev_hash: str) -> str:
    """Return the hash of one link of a screen's chain."""
    return sha256_hex({"kiosk_id": kiosk_id, "day": day.isoformat(), "plays": plays_count,
                       "plays_hash": plays_digest, "prev_hash": prev_hash})


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
