"""Paging and day parameters of every list, bounded in one place so no value reaches the database raw.

A page number is an integer from 1 to MAX_PAGE (the UI reads anything else as the nearest sensible
page, the API refuses it with 422); a day lies between EARLIEST_DAY and LATEST_DAY, so the day after
it and the day before it still exist (date(9999, 12, 31) + 1 day overflows, as does an OFFSET past
SQLite's 64-bit integers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from math import ceil
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from kiosk_server.extensions import db

MAX_PAGE = 100_000
MAX_PER_PAGE = 500
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)


def page_arg(name: str = "page") -> int:
    """Return the page asked for in the query string: 1 when absent or not a positive integer, at most MAX_PAGE."""
    raw = (request.args.get(name) or "").strip()
    if not raw.isdigit():  # "", "abc", "-3", "1.5"
        return 1
    if len(raw) > len(str(MAX_PAGE)):  # never turn a 10,000-digit string into an int
        return MAX_PAGE
    return min(max(1, int(raw)), MAX_PAGE)


def parse_day(text: str) -> date:
    """Return the day written as YYYY-MM-DD; raise ValueError for anything else or outside the bounds."""
    day = date.fromisoformat(text.strip()[:10]) if len(text.strip()) == 10 else None
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"not a day between {EARLIEST_DAY} and {LATEST_DAY}: {text[:20]!r}")
    return day


@dataclass
class Page:
    """One page of a list: its rows, which page it is, how many pages and rows there are."""

    items: list[Any]
    page: int
    pages: int
    total: int


def paginate(query: Select, per_page: int, page: int | None = None) -> Page:
    """Return the page of `query` asked for (`?page=`), clamped to the pages that exist."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, ceil(total / per_page))
    page = min(page if page is not None else page_arg(), pages)
    items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page)))
    return Page(items, page, pages, total)


def api_page(query: Select, args: Mapping[str, int]) -> list[Any]:
    """Return the rows of `query` on the page an API list asks for: `page` and `per_page` of its (validated) query."""
    return list(db.session.scalars(query.offset((args["page"] - 1) * args["per_page"]).limit(args["per_page"])))
