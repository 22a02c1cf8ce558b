"""Reporting periods and the arithmetic of the summary report: medians, shares, period boundaries.

Pure values only: no Flask and no database. Periods are whole days in Viet Nam time
(Asia/Ho_Chi_Minh), inclusive at both ends as an official report states them ("01/01/2026 –
30/06/2026"); the database is asked for the half-open UTC interval [start, end) they cover.
Provinces report every six months and every year (DOMAIN.md), so those are the default periods.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_YEARS = 5
LATEST_YEAR = 2100

# Why a period was refused; the service turns each into a message an officer reads.
BAD_DATE = "bad_date"
REVERSED = "reversed"
TOO_LONG = "too_long"


class PeriodError(ValueError):
    """A period that cannot be reported on: `field` is "from" or "to", `reason` one of the codes above."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Period:
    """Days `first` to `last`, both included, in Viet Nam time; `key` names a default period ("2026-H1")."""

    first: date
    last: date
    key: str = ""

    def bounds(self) -> tuple[datetime, datetime]:
        """Return the UTC instants [start, end) the period covers: local midnight to the midnight after `last`."""
        start = datetime.combine(self.first, time(0), tzinfo=VN).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=VN).astimezone(UTC)
        return start, end

    def label(self) -> str:
        """Return the period as written on the report: "01/01/2026 – 30/06/2026"."""
        return f"{self.first:%d/%m/%Y} – {self.last:%d/%m/%Y}"


def local_today(now: datetime) -> date:
    """Return the calendar day in Viet Nam at the instant `now` (aware)."""
    return now.astimezone(VN).date()


def half_year(year: int, half: int) -> Period:
    """Return the six-month period `half` (1: 01/01–30/06, 2: 01/07–31/12) of `year`."""
    if half == 1:
        return Period(date(year, 1, 1), date(year, 6, 30), f"{year}-H1")
    return Period(date(year, 7, 1), date(year, 12, 31), f"{year}-H2")


def whole_year(year: int) -> Period:
    """Return the calendar year `year` as a period."""
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year}")


def default_periods(today: date) -> list[Period]:
    """Return the reporting periods an officer picks from: this year's and last year's halves and years, newest first."""
    periods: list[Period] = []
    for year in (today.year, today.year - 1):
        halves = [half_year(year, 2), half_year(year, 1)]
        periods += [p for p in halves if p.first <= today] + [whole_year(year)]
    return periods


def current_period(today: date) -> Period:
    """Return the six-month period `today` falls in: the one an officer most often reports on."""
    return half_year(today.year, 1 if today.month <= 6 else 2)


def period_by_key(key: str) -> Period | None:
    """Return the default period named `key` ("2026-H1", "2026-H2", "2026"), or None."""
    year_part, _, half = key.partition("-H")
    if not year_part.isdigit() or len(year_part) != 4:
        return None
    year = int(year_part)
    if not half:
        return whole_year(year)
    return half_year(year, int(half)) if half in ("1", "2") else None


def parse_day(raw: str | None, field: str) -> date:
    """Return the day written as dd/mm/yyyy (as officers write it) or yyyy-mm-dd (ISO); PeriodError otherwise."""
    text = (raw or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar day, no instant
        except ValueError:
            continue
        # Bounded above too: a period ending in year 9999 has no "day after" (and no five-year limit).
        if 1900 <= day.year <= LATEST_YEAR:
            return day
    raise PeriodError(field, BAD_DATE)


def make_period(first: date, last: date) -> Period:
    """Return the period `first`–`last`, or PeriodError when it runs backwards or spans more than MAX_YEARS."""
    if first > last:
        raise PeriodError("to", REVERSED)
    try:
        limit = first.replace(year=first.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = first.replace(year=first.year + MAX_YEARS, day=28)
    if last >= limit:
        raise PeriodError("to", TOO_LONG)
    key = next((p.key for p in (half_year(first.year, 1), half_year(first.year, 2), whole_year(first.year))
                if (p.first, p.last) == (first, last)), "")
    return Period(first, last, key)


def median(values: Iterable[float]) -> float | None:
    """Return the median of `values`, or None when there are none."""
    listed = list(values)
    return float(statistics.median(listed)) if listed else None


def share(part: int, whole: int) -> float | None:
    """Return part/whole rounded to 4 places, or None when `whole` is 0 (no screens: no share to speak of)."""
    return round(part / whole, 4) if whole else None


def hours(seconds: float) -> float:
    """Return `seconds` as hours, to one decimal place."""
    return round(seconds / 3600, 1)


def percent_vn(value: float | None) -> str:
    """Return a share as a Vietnamese percentage ("87,5%"), or "—" when there is none."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + "%"


def span_vn(seconds: float | None) -> str:
    """Return a length of time for a report: "45 giây", "12 phút", "3 giờ 5 phút", "2 ngày 4 giờ"; "—" for None."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} giây"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} phút"
    hours_, minutes = divmod(minutes, 60)
    if hours_ < 24:
        return f"{hours_} giờ {minutes} phút" if minutes else f"{hours_} giờ"
    days, hours_ = divmod(hours_, 24)
    return f"{days} ngày {hours_} giờ" if hours_ else f"{days} ngày"
