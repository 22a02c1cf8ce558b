"""Vietnamese lunar dates (âm lịch) for the screens' header, computed for UTC+7.

`lunar-vn` was checked against the dates where Viet Nam and China differ (Tết on 21/01/1985 in Viet
Nam, 20/02/1985 in China; 17/02/2007 against 18/02/2007) and against Tết 2026 (17/02) and 2027
(06/02): tests/domain/test_lunar.py keeps those checks.
"""

from __future__ import annotations

from datetime import date, timedelta

import lunar_vn
from lunar_vn.can_chi import get_year_can_chi

from kiosk_server.domain.schedule import VN

VN_UTC_OFFSET_HOURS = VN.utcoffset(None) / timedelta(hours=1)  # the library takes hours as a float


def lunar_of(day: date) -> tuple[int, int, int, bool]:
    """Return (day, month, year, leap month) of the Vietnamese lunar calendar for solar `day`."""
    lunar = lunar_vn.solar_to_lunar(day, VN_UTC_OFFSET_HOURS)
    return lunar.day, lunar.month, lunar.year, bool(lunar.leap)


def lunar_label(day: date) -> str:
    """Return the lunar date as a screen writes it: "14 tháng 10 năm Bính Ngọ" ("tháng 6 nhuận" if leap)."""
    d, m, y, leap = lunar_of(day)
    month = f"{m} nhuận" if leap else str(m)
    return f"{d} tháng {month} năm {get_year_can_chi(y)}"


def lunar_labels(start: date, days: int) -> dict[str, str]:
    """Return {"YYYY-MM-DD": label} for `days` days from `start`, for a kiosk that may be offline a while."""
    return {(start + timedelta(n)).isoformat(): lunar_label(start + timedelta(n)) for n in range(days)}
