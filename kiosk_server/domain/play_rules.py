"""Which plays a screen may report: inside the item's window, and no more than the day's wall time.

Pure rules (no Flask, no database); services/reports/played.py applies them to what a screen sends.

- A play is believable only from the later of the screen's creation and the item's first approval
  (nothing could have played before either) until a little past now (`FUTURE_SLACK`: screens' clocks
  drift; a play "in 2031" is not a drift).
- One screen shows one item at a time, so its plays of one Viet Nam day (by start, as PlayDay counts
  them) add up to at most that day's wall time: 24 hours (Viet Nam keeps no daylight saving). A play
  that would go past it is cut to what is left, and refused when nothing is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from kiosk_server.domain.play_log import vn_day

FUTURE_SLACK = timedelta(minutes=5)
WALL_SECONDS_PER_DAY = 86_400.0


def in_window(started_at: datetime, earliest: datetime | None, now: datetime) -> bool:
    """Return whether a play started at `started_at` may be believed (`earliest` None: the item never ran here)."""
    return earliest is not None and earliest <= started_at <= now + FUTURE_SLACK


def earliest_play(screen_created_at: datetime, approvals: Iterable[datetime | None]) -> datetime | None:
    """Return the first moment an item could have played on a screen: the later of its creation and the item's first approval.

    `approvals` are the first approvals of every published record that brought the item to the screen
    (the notice itself, or the playlists and notices holding a media file); None if there is none.
    """
    known = [moment for moment in approvals if moment is not None]
    return max(screen_created_at, min(known)) if known else None


def fit_to_wall_time(plays: Iterable[tuple[datetime, float]], used: Mapping[date, float]) -> list[float]:
    """Return the seconds each play may keep, in the order given, so no day goes past its wall time.

    `used` holds the seconds already stored per Viet Nam day; 0.0 means the play is refused.
    """
    left = {}
    kept = []
    for started_at, seconds in plays:
        day = vn_day(started_at)
        remaining = left.get(day, max(0.0, WALL_SECONDS_PER_DAY - used.get(day, 0.0)))
        allowed = min(float(seconds), remaining)
        left[day] = remaining - allowed
        kept.append(allowed)
    return kept
