"""The place an official paper is dated at."""

from __future__ import annotations

import pytest

from kiosk_server.domain.units import place_name


@pytest.mark.parametrize(("unit", "place"), [
    ("Phường Minh Xuân", "Minh Xuân"),
    ("Xã Kim Lũ", "Kim Lũ"),
    ("Tỉnh Tuyên Quang", "Tuyên Quang"),
    ("Thành phố Hà Nội", "Hà Nội"),
    ("Đặc khu Phú Quốc", "Phú Quốc"),
    ("Phường 1", "Phường 1"),
])
def test_place_name_drops_the_level_word_unless_the_unit_is_named_by_a_number(unit, place):
    assert place_name(unit) == place
