"""Reading a notice from what an officer sent: every field checked, errors named in Vietnamese.

The API and the officer UI both send the contract's notice body; this turns it into clean values
or one ValidationFailed listing every field at fault, so nothing is half-saved. The schedule fields
and targets are read as a playlist's are (services/content/schedule_input.py).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

from kiosk_server.domain import sanitise
from kiosk_server.domain.durations import MAX_DURATION_S
from kiosk_server.services.content.schedule_input import read_schedule
from kiosk_server.services.core.fields import FieldReader

PRIORITIES = ("normal", "priority", "emergency")
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_TRANSLATIONS = 8
MAX_MEDIA = 20
MAX_CATEGORY = 40
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

FIELDS = (
    "title", "body", "unit_code", "targets", "starts_at", "ends_at", "days", "hours", "duration_s",
    "priority", "media_ids", "qr_url", "language", "translations", "category",
)


def _translation(entry: Any) -> tuple[dict | None, Any]:
    """Return a clean translation, or None and the message saying why not."""
    if not isinstance(entry, dict):
        return None, _l("Mỗi bản dịch gồm language, title và body.")
    lang = str(entry.get("language") or "").strip()
    title = str(entry.get("title") or "").strip()
    if not LANGUAGE.match(lang) or lang == "vi":
        return None, _l("Mã ngôn ngữ “%(lang)s” không hợp lệ (ví dụ: km, tyz, hmn).", lang=lang[:12])
    if not title or len(title) > MAX_TITLE:
        return None, _l("Bản dịch %(lang)s cần tiêu đề từ 1 đến %(n)d ký tự.", lang=lang, n=MAX_TITLE)
    return {"language": lang, "title": title, "body": sanitise.clean_body(str(entry.get("body") or ""))}, None


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
        translation, fault = _translation(entry)
        if translation is None:
            errors["translations"] = fault
            return []
        clean.append(translation)
    if len({t["language"] for t in clean}) != len(clean):
        errors["translations"] = _l("Mỗi ngôn ngữ chỉ có một bản dịch.")
    return clean


def _is_language(value: Any) -> bool:
    return isinstance(value, str) and bool(LANGUAGE.match(value))


def _is_qr_url(value: Any) -> bool:
    # Nothing (null, "") is fine: the notice then has no QR code.
    return not value or (isinstance(value, str) and sanitise.is_safe_url(value.strip()))


def read_notice(data: Any, *, partial: bool = False) -> dict:
    """Return the cleaned fields of a notice body; raise ValidationFailed naming every bad field.

    With `partial`, only the fields present are read (PATCH); otherwise title and unit_code are required.
    """
    fields = FieldReader(data, FIELDS, partial=partial)
    fields.text("title", _l("Hãy nhập tiêu đề."), most=MAX_TITLE,
                too_long=lambda title: _l("Tiêu đề dài quá %(n)d ký tự (hiện có %(len)d).", n=MAX_TITLE, len=len(title)))
    fields.prose("body", MAX_BODY, not_text=_l("Nội dung phải là văn bản."),
                 too_long=_l("Nội dung dài quá %(n)d ký tự.", n=MAX_BODY), convert=sanitise.clean_body)
    fields.text("unit_code", _l("Hãy chọn đơn vị đăng thông báo."))
    fields.choice("priority", PRIORITIES, default="normal",
                  message=_l("Mức ưu tiên phải là normal (thông thường), priority (ưu tiên) hoặc emergency (khẩn cấp)."))
    fields.check("category", lambda value: isinstance(value, str) and len(value) <= MAX_CATEGORY,
                 _l("Chuyên mục không hợp lệ."), default="local")
    fields.check("language", _is_language, _l("Mã ngôn ngữ không hợp lệ."), default="vi")
    fields.number("duration_s", _l("Thời lượng hiển thị là số giây từ 1 đến %(n)d.", n=int(MAX_DURATION_S)),
                  1, MAX_DURATION_S, optional=True, convert=float)
    fields.ids("media_ids", MAX_MEDIA, _l("media_ids là danh sách mã số tệp (tối đa %(n)d).", n=MAX_MEDIA))
    fields.check("qr_url", _is_qr_url, _l("Đường dẫn QR phải là địa chỉ http:// hoặc https:// đầy đủ."),
                 convert=lambda value: value.strip() if value else None)
    fields.parse("translations", _parse_translations)
    read_schedule(fields)
    return fields.finish(_l("Thông báo chưa hợp lệ; xem lỗi của từng trường."))
