"""Reading when and where something plays: the schedule fields and targets notices and playlists share.

Both bodies carry starts_at, ends_at, days, hours and targets with the same meaning, read here once
so the two kinds cannot drift; `check_rules` judges a complete schedule before it is stored.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from flask_babel import lazy_gettext as _l

from kiosk_server.domain import schedule
from kiosk_server.services.core.errors import ValidationFailed
from kiosk_server.services.core.fields import FieldReader, is_list_of

MAX_TARGETS = 200
HOUR_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")
RULE_FIELDS = ("starts_at", "ends_at", "days", "hours")
TARGET_KINDS = (("units", str), ("groups", (int, str)), ("kiosks", int))


def _parse_clock(text: str) -> time | None:
    try:
        hour, minute = (int(x) for x in text.split(":"))
        return time(hour, minute) if (hour, minute) != (24, 0) else time(0, 0)
    except ValueError:
        return None


def _hour_texts(entry: Any) -> tuple[str, str] | None:
    if isinstance(entry, str) and HOUR_RANGE.match(entry):
        return HOUR_RANGE.match(entry).groups()
    if isinstance(entry, (list, tuple)) and len(entry) == 2 and all(isinstance(x, str) for x in entry):
        return entry[0], entry[1]
    return None


def parse_hours(value: Any, errors: dict) -> tuple[tuple[time, time], ...]:
    """Return daily hour ranges from ["07:00-11:30", ...] or [["07:00", "11:30"], ...]; () with an error noted."""
    if value in (None, "", []):
        return ()
    if not isinstance(value, list) or len(value) > 12:
        errors["hours"] = _l("Khung giờ phải là danh sách, ví dụ [[\"07:00\", \"11:30\"]] (tối đa 12 khung).")
        return ()
    ranges = []
    for entry in value:
        texts = _hour_texts(entry)
        if texts is None:
            errors["hours"] = _l("Mỗi khung giờ gồm giờ bắt đầu và giờ kết thúc, ví dụ \"07:00-11:30\".")
            return ()
        start, end = _parse_clock(texts[0]), _parse_clock(texts[1])
        if start is None or end is None:
            errors["hours"] = _l("Giờ “%(value)s” không hợp lệ; dùng dạng HH:MM, 24 giờ.", value="-".join(texts))
            return ()
        ranges.append((start, end))
    return tuple(ranges)


def parse_days(value: Any, errors: dict) -> frozenset[int]:
    """Return ISO weekdays from a list of numbers; an empty set with an error noted."""
    if value in (None, "", []):
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in value):
        errors["days"] = _l("Ngày trong tuần là danh sách số từ 1 (thứ Hai) đến 7 (Chủ nhật).")
        return frozenset()
    return frozenset(value)


def parse_targets(value: Any, errors: dict) -> dict:
    """Return {units, groups, kiosks} as lists without repeats; empty lists with an error noted."""
    if value in (None, {}):
        return {"units": [], "groups": [], "kiosks": []}
    if not isinstance(value, dict) or set(value) - {"units", "groups", "kiosks"}:
        errors["targets"] = _l("Nơi hiển thị là {units, groups, kiosks}.")
        return {"units": [], "groups": [], "kiosks": []}
    targets = {}
    for key, kind in TARGET_KINDS:
        items = value.get(key) or []
        if not is_list_of(items, kind, MAX_TARGETS):
            errors["targets"] = _l("Danh sách %(key)s trong nơi hiển thị không hợp lệ.", key=key)
            items = []
        targets[key] = list(dict.fromkeys(items))
    return targets


def read_schedule(fields: FieldReader) -> None:
    """Read starts_at, ends_at, days, hours and targets; for a whole body, also the schedule as a whole.

    The whole is judged (end after start...) only when each schedule field is itself fine, in the
    same round as every other field, so an officer does not fix the fields and then meet this one.
    """
    fields.when("starts_at")
    fields.when("ends_at")
    fields.parse("days", parse_days)
    fields.parse("hours", parse_hours)
    fields.parse("targets", parse_targets)
    if not fields.partial and not set(RULE_FIELDS) & set(fields.errors):
        fields.errors.update(schedule.validate_rules(rules_of(fields.out)))


def rules_of(fields: dict) -> schedule.Rules:
    """Return the schedule rules of read `fields` (absent ones open)."""
    return schedule.Rules(
        starts_at=fields.get("starts_at"),
        ends_at=fields.get("ends_at"),
        days=frozenset(fields.get("days") or ()),
        hours=tuple(fields.get("hours") or ()),
    )


def check_rules(fields: dict) -> schedule.Rules:
    """Return the schedule rules of complete notice or playlist `fields`; raise ValidationFailed if inconsistent."""
    rules = rules_of(fields)
    errors = schedule.validate_rules(rules)
    if errors:
        raise ValidationFailed(_l("Lịch hiển thị chưa hợp lệ."), errors)
    return rules
