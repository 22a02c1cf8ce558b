"""Functions and filters every template may use: permissions, labels, Vietnamese dates."""

from __future__ import annotations

import json
from datetime import datetime

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kiosk_server.domain import roles
from kiosk_server.domain.schedule import VN

LEVEL_LABELS = {"province": _l("Tỉnh, thành phố"), "commune": _l("Xã, phường, đặc khu")}
ROLE_LABELS = {"viewer": _l("Xem"), "editor": _l("Biên tập"), "approver": _l("Duyệt tin"), "admin": _l("Quản trị")}
ACTION_LABELS = {
    "units.import": _l("Nhập đơn vị hành chính"),
    "user.create": _l("Tạo người dùng"),
    "user.update": _l("Sửa người dùng"),
    "user.login": _l("Đăng nhập"),
    "user.sign_out_everywhere": _l("Đăng xuất mọi nơi"),
    "token.create": _l("Tạo mã truy cập"),
    "token.revoke": _l("Thu hồi mã truy cập"),
    "kiosk.provision": _l("Tạo màn hình"),
    "kiosk.revoke": _l("Thu hồi màn hình"),
    "media.upload": _l("Tải lên tệp media"),
    "media.delete": _l("Xóa tệp media"),
    "notice.create": _l("Soạn thông báo"),
    "notice.update": _l("Sửa thông báo"),
    "notice.submit": _l("Gửi duyệt thông báo"),
    "notice.approve": _l("Duyệt và phát hành thông báo"),
    "notice.reject": _l("Trả lại thông báo"),
    "notice.withdraw": _l("Gỡ thông báo"),
    "notice.expire": _l("Thông báo hết hạn"),
    "alert.raise": _l("Phát cảnh báo khẩn cấp"),
    "alert.update": _l("Cập nhật cảnh báo khẩn cấp"),
    "alert.cancel": _l("Hủy cảnh báo khẩn cấp"),
    "feedback.create": _l("Nhận phản ánh, kiến nghị"),
    "feedback.reply": _l("Trả lời phản ánh, kiến nghị"),
    "feedback.status": _l("Đổi trạng thái phản ánh"),
    "feedback.erase": _l("Xóa dữ liệu cá nhân của người phản ánh"),
}


OBJECT_LABELS = {
    "user": _l("Người dùng"),
    "api_token": _l("Mã truy cập"),
    "kiosk": _l("Màn hình"),
    "unit": _l("Đơn vị"),
    "notice": _l("Thông báo"),
    "media": _l("Tệp media"),
    "category": _l("Chuyên mục"),
    "alert": _l("Cảnh báo khẩn cấp"),
    "feedback": _l("Phản ánh, kiến nghị"),
}


def datetime_vn(value: datetime | None) -> str:
    """Return `value` as dd/mm/yyyy HH:MM in Viet Nam time (24-hour clock)."""
    if value is None:
        return ""
    return value.astimezone(VN).strftime("%d/%m/%Y %H:%M")


def date_vn(value: datetime | None) -> str:
    """Return `value` as dd/mm/yyyy in Viet Nam time."""
    if value is None:
        return ""
    return value.astimezone(VN).strftime("%d/%m/%Y")


def duration_vn(seconds: int | None) -> str:
    """Return a running time like "3 giờ 12 phút"."""
    if seconds is None:
        return ""
    hours, minutes = divmod(int(seconds) // 60, 60)
    return f"{hours} giờ {minutes} phút" if hours else f"{minutes} phút"


def pretty_json(value) -> str:
    """Return `value` as indented JSON that keeps Vietnamese letters readable."""
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


def register(app: Flask) -> None:
    app.jinja_env.filters["datetime_vn"] = datetime_vn
    app.jinja_env.filters["pretty_json"] = pretty_json
    app.jinja_env.filters["date_vn"] = date_vn
    app.jinja_env.filters["duration_vn"] = duration_vn

    @app.context_processor
    def _helpers():
        return {
            "current_locale": lambda: str(get_locale() or "vi"),
            "can": lambda perm: current_user.is_authenticated and roles.can(current_user.role, perm),
            "role_label": lambda r: str(ROLE_LABELS.get(r, r)),
            "level_label": lambda lv: str(LEVEL_LABELS.get(lv, lv)),
            "action_label": lambda a: str(ACTION_LABELS.get(a, a)),
            "object_label": lambda t: str(OBJECT_LABELS.get(t, t)),
        }
