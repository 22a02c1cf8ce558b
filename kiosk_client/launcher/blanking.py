"""When the screen is off: daily ranges of Viet Nam time, pure functions of (time, ranges).

Viet Nam time, not the device's own clock: a kiosk image is often left on UTC, and a `22:00-06:00`
range read on UTC would switch a commune's screen off at 05:00 in the morning and on at 13:00.

A range `22:00-06:00` blanks from 22:00 up to (not including) 06:00 the next morning. Several ranges
may overlap. The caller sleeps until `next_switch` instead of polling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _viet_nam() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # a device without a time-zone database: UTC+7 all year (no summer time)
        return timezone(timedelta(hours=7), "+07")


VIET_NAM = _viet_nam()

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class BlankRange:
    """A daily period with the screen off, from `start` (included) to `end` (excluded)."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_range(text: str) -> BlankRange:
    """Return the range written `HH:MM-HH:MM` (24:00 allowed as an end); ValueError says why not."""
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"'{text}': cần dạng HH:MM-HH:MM, ví dụ 22:00-06:00 / expected HH:MM-HH:MM, e.g. 22:00-06:00")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if (h2, m2) == (24, 0):
        h2 = 0
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60):
        raise ValueError(f"'{text}': giờ không hợp lệ / not a valid time of day")
    start, end = time(h1, m1), time(h2, m2)
    if start == end:
        raise ValueError(f"'{text}': giờ bắt đầu và kết thúc trùng nhau / start and end are the same")
    return BlankRange(start, end)


def is_blank(now: time, ranges: Sequence[BlankRange]) -> bool:
    """Return whether the screen should be off at local time `now`."""
    for blank in ranges:
        if blank.start < blank.end:
            if blank.start <= now < blank.end:
                return True
        elif now >= blank.start or now < blank.end:  # wraps past midnight
            return True
    return False


def next_switch(now: datetime, ranges: Sequence[BlankRange]) -> datetime | None:
    """Return the first moment after `now` when `is_blank` changes, or None if it never does.

    The state only changes on a range's start or end, and the schedule repeats daily, so the
    boundaries of today and tomorrow hold the answer if there is one.
    """
    current = is_blank(now.time(), ranges)
    boundaries = sorted(
        {
            datetime.combine(now.date() + timedelta(days=day), moment, now.tzinfo)
            for day in (0, 1)
            for blank in ranges
            for moment in (blank.start, blank.end)
        }
    )
    for boundary in boundaries:
        if boundary > now and is_blank(boundary.time(), ranges) != current:
            return boundary
    return None
