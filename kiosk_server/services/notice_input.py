"""Reading a notice from what an officer sent: every field checked, errors named in Vietnamese.

The API and the officer UI both send the contract's notice body; this turns it into clean values
or one ValidationFailed listing every field at fault, so nothing is half-saved.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l

from kiosk_server.domain import sanitise, schedule
from kiosk_server.domain.durations import MAX_DURATION_S
from kiosk_server.services.errors import ValidationFailed

PRIORITIES = ("normal", "priority", "emergency")
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_TRANSLATIONS = 8
MAX_MEDIA = 20
MAX_TARGETS = 200
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
HOUR_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")

FIELDS = (
    "title", "body", "unit_code", "targets", "starts_at", "ends_at", "days", "hours", "duration_s",
    "priority", "media_ids", "qr_url", "language", "translations", "category",
)


def parse_time_point(value: Any, field: str, errors: dict) -> datetime | None:
    """Return an aware datetime from ISO 8601 (no offset: Viet Nam time), or None with an error noted."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors[field] = _l("Thời điểm phải là chuỗi ISO 8601, ví dụ 2026-12-01T07:30.")
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        errors[field] = _l("Thời điểm “%(value)s” không hợp lệ (ví dụ đúng: 2026-12-01T07:30).", value=value[:40])
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=schedule.VN)
    return parsed


def _parse_clock(text: str) -> time | None:
    try:
        hour, minute = (int(x) for x in text.split(":"))
        return time(hour, minute) if (hour, minute) != (24, 0) else time(0, 0)
    except ValueError:
        return None


def _parse_hours(value: Any, errors: dict) -> tuple[tuple[time, time], ...]:
    if value in (None, "", []):
        return ()
    if not isinstance(value, list) or len(value) > 12:
        errors["hours"] = _l("Khung giờ phải là danh sách, ví dụ [[\"07:00\", \"11:30\"]] (tối đa 12 khung).")
        return ()
    ranges = []
    for entry in value:
        if isinstance(entry, str) and HOUR_RANGE.match(entry):
            start_text, end_text = HOUR_RANGE.match(entry).groups()
        elif isinstance(entry, (list, tuple)) and len(entry) == 2 and all(isinstance(x, str) for x in entry):
            start_text, end_text = entry
        else:
            errors["hours"] = _l("Mỗi khung giờ gồm giờ bắt đầu và giờ kết thúc, ví dụ \"07:00-11:30\".")
            return ()
        start, end = _parse_clock(start_text), _parse_clock(end_text)
        if start is None or end is None:
            errors["hours"] = _l("Giờ “%(value)s” không hợp lệ; dùng dạng HH:MM, 24 giờ.", value=f"{start_text}-{end_text}")
            return ()
        ranges.append((start, end))
    return tuple(ranges)


def _parse_days(value: Any, errors: dict) -> frozenset[int]:
    if value in (None, "", []):
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in value):
        errors["days"] = _l("Ngày trong tuần là danh sách số từ 1 (thứ Hai) đến 7 (Chủ nhật).")
        return frozenset()
    return frozenset(value)


def _parse_translations(value: Any, errors: dict) -> list[dict]:
    if value in (None, []):
        return []
    if isinstance(value, dict):
        value = [{"language": k, **(v if isinstance(v, dict) else {})} for k, v in value.items()]
    if not isinstance(value, list) or len(value) > MAX_TRANSLATIONS:
        errors["translations"] = _l("Bản dịch là danh sách {language, title, body} (tối đa %(n)d).", n=MAX_TRANSLATIONS)
        return []
    clean = []
    for entry in value:
        if not isinstance(entry, dict):
            errors["translations"] = _l("Mỗi bản dịch gồm language, title và body.")
            return []
        lang = str(entry.get("language") or "").strip()
        title = str(entry.get("title") or "").strip()
        if not LANGUAGE.match(lang) or lang == "vi":
            errors["translations"] = _l("Mã ngôn ngữ “%(lang)s” không hợp lệ (ví dụ: km, tyz, hmn).", lang=lang[:12])
            return []
        if not title or len(title) > MAX_TITLE:
            errors["translations"] = _l("Bản dịch %(lang)s cần tiêu đề từ 1 đến %(n)d ký tự.", lang=lang, n=MAX_TITLE)
            return []
        clean.append({"language": lang, "title": title, "body": sanitise.clean_body(str(entry.get("body") or ""))})
    if len({t["language"] for t in clean}) != len(clean):
        errors["translations"] = _l("Mỗi ngôn ngữ chỉ có một bản dịch.")
    return clean


def _parse_targets(value: Any, errors: dict) -> dict:
    if value in (None, {}):
        return {"units": [], "groups": [], "kiosks": []}
    if not isinstance(value, dict) or set(value) - {"units", "groups", "kiosks"}:
        errors["targets"] = _l("Nơi hiển thị là {units, groups, kiosks}.")
        return {"units": [], "groups": [], "kiosks": []}
    targets = {}
    for key, kind in (("units", str), ("groups", (int, str)), ("kiosks", int)):
        items = value.get(key) or []
        if not isinstance(items, list) or len(items) > MAX_TARGETS or not all(
            isinstance(x, kind) and not isinstance(x, bool) for x in items
        ):
            errors["targets"] = _l("Danh sách %(key)s trong nơi hiển thị không hợp lệ.", key=key)
            items = []
        targets[key] = list(dict.fromkeys(items))
    return targets


def read_rules_and_targets(data: dict, out: dict, errors: dict, present) -> None:
    """Read the schedule fields (starts_at, ends_at, days, hours) and targets of `data` into `out`.

    Shared by notices and playlists (services/playlist_input.py), which take the same rules;
    `present(name)` says whether a field is to be read (a PATCH reads only what it was sent).
    """
    if present("starts_at"):
        out["starts_at"] = parse_time_point(data.get("starts_at"), "starts_at", errors)
    if present("ends_at"):
        out["ends_at"] = parse_time_point(data.get("ends_at"), "ends_at", errors)
    if present("days"):
        out["days"] = _parse_days(data.get("days"), errors)
    if present("hours"):
        out["hours"] = _parse_hours(data.get("hours"), errors)
    if present("targets"):
        out["targets"] = _parse_targets(data.get("targets"), errors)


def rules_errors(fields: dict) -> dict:
    """Return what is wrong with the schedule of complete `fields` as a whole (end after start...)."""
    return schedule.validate_rules(_rules_of(fields))


def read_notice(data: Any, *, partial: bool = False) -> dict:
    """Return the cleaned fields of a notice body; raise ValidationFailed naming every bad field.

    With `partial`, only the fields present are read (PATCH); otherwise title and unit_code are required.
    """
    if not isinstance(data, dict):
        raise ValidationFailed(_l("Nội dung gửi lên phải là một đối tượng JSON."))
    errors: dict[str, Any] = {}
    unknown = sorted(set(data) - set(FIELDS))
    for name in unknown:
        errors[name] = _l("Trường này không được hỗ trợ.")
    out: dict[str, Any] = {}

    def present(name: str) -> bool:
        return name in data or not partial

    if present("title"):
        title = data.get("title")
        title = title.strip() if isinstance(title, str) else ""
        if not title:
            errors["title"] = _l("Hãy nhập tiêu đề.")
        elif len(title) > MAX_TITLE:
            errors["title"] = _l("Tiêu đề dài quá %(n)d ký tự (hiện có %(len)d).", n=MAX_TITLE, len=len(title))
        out["title"] = title
    if present("body"):
        body = data.get("body") or ""
        if not isinstance(body, str):
            errors["body"] = _l("Nội dung phải là văn bản.")
            body = ""
        elif len(body) > MAX_BODY:
            errors["body"] = _l("Nội dung dài quá %(n)d ký tự.", n=MAX_BODY)
        out["body"] = sanitise.clean_body(body[:MAX_BODY])
    if present("unit_code"):
        unit = data.get("unit_code")
        if not isinstance(unit, str) or not unit.strip():
            errors["unit_code"] = _l("Hãy chọn đơn vị đăng thông báo.")
        out["unit_code"] = unit.strip() if isinstance(unit, str) else ""
    if present("priority"):
        priority = data.get("priority") or "normal"
        if priority not in PRIORITIES:
            errors["priority"] = _l("Mức ưu tiên phải là normal (thông thường), priority (ưu tiên) hoặc emergency (khẩn cấp).")
        out["priority"] = priority
    if present("category"):
        category = data.get("category") or "local"
        if not isinstance(category, str) or len(category) > 40:
            errors["category"] = _l("Chuyên mục không hợp lệ.")
        out["category"] = category
    if present("language"):
        language = data.get("language") or "vi"
        if not isinstance(language, str) or not LANGUAGE.match(language):
            errors["language"] = _l("Mã ngôn ngữ không hợp lệ.")
        out["language"] = language
    read_rules_and_targets(data, out, errors, present)
    if present("duration_s"):
        duration = data.get("duration_s")
        if duration is not None and (
            isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 1 <= duration <= MAX_DURATION_S
        ):
            errors["duration_s"] = _l("Thời lượng hiển thị là số giây từ 1 đến %(n)d.", n=int(MAX_DURATION_S))
            duration = None
        out["duration_s"] = float(duration) if duration is not None else None
    if present("media_ids"):
        media_ids = data.get("media_ids") or []
        if not isinstance(media_ids, list) or len(media_ids) > MAX_MEDIA or not all(
            isinstance(x, int) and not isinstance(x, bool) for x in media_ids
        ):
            errors["media_ids"] = _l("media_ids là danh sách mã số tệp (tối đa %(n)d).", n=MAX_MEDIA)
            media_ids = []
        out["media_ids"] = list(dict.fromkeys(media_ids))
    if present("qr_url"):
        qr_url = data.get("qr_url") or None
        if qr_url is not None and (not isinstance(qr_url, str) or not sanitise.is_safe_url(qr_url.strip())):
            errors["qr_url"] = _l("Đường dẫn QR phải là địa chỉ http:// hoặc https:// đầy đủ.")
            qr_url = None
        out["qr_url"] = qr_url.strip() if qr_url else None
    if present("translations"):
        out["translations"] = _parse_translations(data.get("translations"), errors)

    if not partial and not {"starts_at", "ends_at", "days", "hours"} & set(errors):
        # The schedule as a whole (end after start...) is checked here too, so an officer sees
        # every problem in one round instead of fixing the fields first and then meeting this one.
        errors.update(rules_errors(out))
    if errors:
        raise ValidationFailed(_l("Thông báo chưa hợp lệ; xem lỗi của từng trường."), errors)
    return out


def _rules_of(fields: dict) -> schedule.Rules:
    return schedule.Rules(
        starts_at=fields.get("starts_at"),
        ends_at=fields.get("ends_at"),
        days=frozenset(fields.get("days") or ()),
        hours=tuple(fields.get("hours") or ()),
    )


def check_rules(fields: dict) -> schedule.Rules:
    """Return the schedule rules of complete notice `fields`; raise ValidationFailed if inconsistent."""
    rules = _rules_of(fields)
    errors = schedule.validate_rules(rules)
    if errors:
        raise ValidationFailed(_l("Lịch hiển thị chưa hợp lệ."), errors)
    return rules
