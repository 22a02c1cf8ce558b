"""Reporting periods in Viet Nam time, medians and shares: plain values, no app."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kiosk_server.domain import reports as rules

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


def test_six_month_period_covers_local_days_in_utc():
    start, end = rules.half_year(2026, 1).bounds()

    assert start == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)  # 00:00 on 01/01 in Ha Noi
    assert end == datetime(2026, 6, 30, 17, 0, tzinfo=UTC)  # 00:00 on 01/07 in Ha Noi


def test_default_periods_are_halves_and_years_newest_first():
    keys = [p.key for p in rules.default_periods(date(2026, 3, 15))]

    assert keys == ["2026-H1", "2026", "2025-H2", "2025-H1", "2025"]
    assert rules.current_period(date(2026, 7, 1)).label() == "01/07/2026 – 31/12/2026"


def test_period_by_key():
    assert rules.period_by_key("2025") == rules.whole_year(2025)
    assert rules.period_by_key("2025-H2").first == date(2025, 7, 1)
    assert rules.period_by_key("2025-H3") is None
    assert rules.period_by_key("năm nay") is None


def test_dates_as_officers_and_machines_write_them():
    assert rules.parse_day("05/01/2026", "from") == date(2026, 1, 5)
    assert rules.parse_day("2026-01-05", "from") == date(2026, 1, 5)
    for bad in ("", None, "5/13/2026", "2026/01/05", "31/02/2026"):
        with pytest.raises(rules.PeriodError) as error:
            rules.parse_day(bad, "from")
        assert (error.value.field, error.value.reason) == ("from", rules.BAD_DATE)


def test_period_must_run_forwards_and_stay_under_five_years():
    assert rules.make_period(date(2026, 1, 1), date(2026, 6, 30)).key == "2026-H1"
    assert rules.make_period(date(2026, 1, 1), date(2030, 12, 31)).key == ""
    with pytest.raises(rules.PeriodError) as reversed_:
        rules.make_period(date(2026, 6, 30), date(2026, 1, 1))
    assert reversed_.value.reason == rules.REVERSED
    with pytest.raises(rules.PeriodError) as too_long:
        rules.make_period(date(2024, 2, 29), date(2029, 2, 28))
    assert too_long.value.reason == rules.TOO_LONG


def test_median_share_and_their_words():
    assert rules.median([]) is None
    assert rules.median([30, 90]) == 60.0
    assert rules.median([5, 1, 3]) == 3.0
    assert rules.share(2, 3) == 0.6667
    assert rules.share(0, 0) is None
    assert rules.percent_vn(0.875) == "87,5%"
    assert rules.percent_vn(None) == "—"
    assert rules.span_vn(45) == "45 giây"
    assert rules.span_vn(3 * 3600 + 300) == "3 giờ 5 phút"
    assert rules.span_vn(3 * 86400) == "3 ngày"
    assert rules.hours(5400) == 1.5
