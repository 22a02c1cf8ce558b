"""Lunar dates follow the Vietnamese calendar (UTC+7), which sometimes differs from the Chinese one."""

from datetime import date

import pytest

from kiosk_server.domain.lunar import lunar_label, lunar_labels, lunar_of

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


@pytest.mark.parametrize(
    ("solar", "expected"),
    [
        (date(1985, 1, 21), (1, 1, 1985, False)),  # Tết in Viet Nam; China had it on 20/02/1985
        (date(1985, 2, 20), (1, 2, 1985, False)),
        (date(2007, 2, 17), (1, 1, 2007, False)),  # Tết in Viet Nam; China: 18/02/2007
        (date(2026, 2, 17), (1, 1, 2026, False)),
        (date(2027, 2, 6), (1, 1, 2027, False)),
    ],
)
def test_tet_falls_on_the_vietnamese_dates(solar, expected):
    assert lunar_of(solar) == expected


def test_label_names_the_year_by_can_chi():
    assert lunar_label(date(2026, 11, 22)) == "14 tháng 10 năm Bính Ngọ"
    assert lunar_label(date(2027, 2, 6)) == "1 tháng 1 năm Đinh Mùi"


def test_labels_cover_the_days_a_kiosk_may_be_offline():
    labels = lunar_labels(date(2026, 12, 30), 5)
    assert list(labels) == ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"]
