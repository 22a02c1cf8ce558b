"""The version a PATCH edits, named by its If-Match header: every versioned resource reads it here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kiosk_server.services.core.errors import StaleVersion, VersionRequired


def if_match_version(header: str | None) -> int:
    """Return the version named by an If-Match header ("3", "\"3\"" or W/"3"); 428 when it is missing."""
    if not header:
        raise VersionRequired(
            _l("Thiếu tiêu đề If-Match: hãy gửi phiên bản đang sửa để không ghi đè thay đổi của người khác.")
        )
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise StaleVersion(_l("If-Match phải là số phiên bản, ví dụ If-Match: 3."))
    return int(value)
