"""Reading a playlist from what an officer sent: every field checked, errors named in Vietnamese.

The API and the officer UI both send the contract's playlist body; the schedule fields and targets
are read exactly as a notice's are (services/content/schedule_input.py).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from kiosk_server.domain.durations import MAX_DURATION_S
from kiosk_server.domain.play_order import MODES
from kiosk_server.services.content.schedule_input import read_schedule
from kiosk_server.services.core.fields import FieldReader, is_whole

MAX_NAME = 200
MAX_CAPTION = 200
MAX_ITEMS = 200
MAX_PRIORITY = 100

FIELDS = ("name", "unit_code", "items", "targets", "mode", "priority", "starts_at", "ends_at", "days", "hours")


def _read_items(value: Any, errors: dict) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        errors["items"] = _l("Danh mục phát là danh sách {notice_id | media_id, duration_s?, caption?} "
                             "(tối đa %(n)d mục).", n=MAX_ITEMS)
        return []
    items = []
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) - {"notice_id", "media_id", "duration_s", "caption"}:
            errors["items"] = _l("Mục %(n)d: chỉ gồm notice_id hoặc media_id, duration_s và caption.", n=position)
            return []
        notice_id, media_id = entry.get("notice_id"), entry.get("media_id")
        if (notice_id is None) == (media_id is None) or not is_whole(notice_id if media_id is None else media_id):
            errors["items"] = _l("Mục %(n)d phải có đúng một trong notice_id (thông báo) hoặc media_id (tệp media).",
                                 n=position)
            return []
        duration = entry.get("duration_s")
        caption = entry.get("caption")
        if notice_id is not None and (duration is not None or caption):
            # A notice plays as itself, for its own time, so proof of play counts it as that notice.
            errors["items"] = _l("Mục %(n)d: thời lượng và chú thích chỉ dùng cho tệp media; thông báo phát "
                                 "theo thời lượng của chính nó.", n=position)
            return []
        if duration is not None and (not isinstance(duration, (int, float)) or isinstance(duration, bool)
                                     or not 1 <= duration <= MAX_DURATION_S):
            errors["items"] = _l("Mục %(n)d: thời lượng là số giây từ 1 đến %(max)d.", n=position,
                                 max=int(MAX_DURATION_S))
            return []
        if caption is not None and (not isinstance(caption, str) or len(caption.strip()) > MAX_CAPTION):
            errors["items"] = _l("Mục %(n)d: chú thích là văn bản tối đa %(max)d ký tự.", n=position, max=MAX_CAPTION)
            return []
        if notice_id is not None:
            items.append({"notice_id": notice_id})
        else:
            items.append({"media_id": media_id, "duration_s": float(duration) if duration is not None else None,
                          "caption": (caption or "").strip()})
    return items


def read_playlist(data: Any, *, partial: bool = False) -> dict:
    """Return the cleaned fields of a playlist body; raise ValidationFailed naming every bad field.

    With `partial`, only the fields present are read (PATCH); otherwise name and unit_code are required.
    """
    fields = FieldReader(data, FIELDS, partial=partial)
    fields.text("name", _l("Hãy đặt tên chương trình phát."), most=MAX_NAME, too_long=_l("Tên dài quá %(n)d ký tự.", n=MAX_NAME))
    fields.text("unit_code", _l("Hãy chọn đơn vị sở hữu chương trình phát."))
    fields.choice("mode", MODES, default="mixed",
                  message=_l("Chế độ phải là mixed (xen kẽ với thông báo) hoặc exclusive (độc quyền màn hình)."))
    fields.number("priority", _l("Mức ưu tiên của chương trình là số nguyên từ 0 đến %(n)d (cao hơn phát trước).",
                                 n=MAX_PRIORITY), 0, MAX_PRIORITY, whole=True, default=0)
    fields.parse("items", _read_items)
    read_schedule(fields)
    return fields.finish(_l("Chương trình phát chưa hợp lệ; xem lỗi của từng trường."))
