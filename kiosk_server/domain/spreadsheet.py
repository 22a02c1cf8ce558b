"""Cells for the spreadsheets the server writes (CSV, XLSX): text a spreadsheet shows, never runs.

Excel and LibreOffice read a cell starting with `=`, `+`, `-` or `@` as a formula, and skip a
leading tab or carriage return before deciding. An alert headline from an upstream CAP feed such as
`=HYPERLINK("http://…"&B2,"Bấm")` would become a live link in the summary workbook, and a screen
named `=cmd|' /C calc'!A0` a command (DDE) in the posting record. OWASP's rule: such text is
written with a single quote in front, which the spreadsheet shows as plain text. Numbers stay
numbers (a count is not text), so a negative figure written as a number is still a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from numbers import Number
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return `value` as a cell may hold it: a number, a date or nothing as it is, anything else as text
    that cannot start a formula (prefixed with `'` when it starts with = + - @, a tab or a carriage return).
    """
    if value is None or isinstance(value, Number | date):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Return a row of cells, each through `safe_cell`."""
    return [safe_cell(value) for value in values]
