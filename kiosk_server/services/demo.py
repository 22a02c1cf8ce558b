"""Demo data for a first start: one province, one commune, officers of each role and two screens.

Passwords are generated on the first seed and kept in the instance folder (never in the
repository), so every demo install has its own.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, Notice, User
from kiosk_server.services.content import categories, links, notices
from kiosk_server.services.core import units, users
from kiosk_server.services.screens import kiosks

DEMO_PROVINCE = "08"  # Tuyên Quang
DEMO_COMMUNE = "02215"  # Phường Minh Xuân
CREDENTIALS_FILE = "demo-credentials.json"


def _credentials_path(instance_path: str) -> Path:
    return Path(instance_path) / CREDENTIALS_FILE


def seed_demo(instance_path: str, only_if_empty: bool = False) -> dict:
    """Seed the demo data once; return the demo officers' emails and passwords."""
    path = _credentials_path(instance_path)
    has_users = db.session.scalar(select(func.count()).select_from(User)) > 0
    if has_users and (only_if_empty or path.is_file()):
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    units.import_units(DEMO_PROVINCE, actor="seed-demo")
    categories.ensure_defaults()
    links.ensure_default_links()
    people = {
        "admin@bangtin.local": ("admin", None, "Quản trị hệ thống"),
        "tinh@bangtin.local": ("approver", DEMO_PROVINCE, "Ban biên tập tỉnh"),
        "duyet@bangtin.local": ("approver", DEMO_COMMUNE, "Cán bộ duyệt tin phường"),
        "bientap@bangtin.local": ("editor", DEMO_COMMUNE, "Cán bộ biên tập phường"),
    }
    credentials: dict[str, str] = {}
    for email, (role, unit, name) in people.items():
        if users.find_by_email(email) is None:
            password = secrets.token_urlsafe(9)
            users.create_user(email, password, role, unit, name=name, actor="seed-demo")
            credentials[email] = password
    if db.session.scalar(select(func.count()).select_from(Kiosk)) == 0:
        kiosks.provision_kiosk("Bộ phận một cửa", DEMO_COMMUNE, ["Trụ sở"], actor="seed-demo")
        kiosks.provision_kiosk("Nhà văn hóa tổ 5", DEMO_COMMUNE, ["Nhà văn hóa"], actor="seed-demo")
    if db.session.scalar(select(func.count()).select_from(Notice)) == 0:
        _demo_notices()
        _demo_playlist()
    if credentials:
        path.write_text(json.dumps(credentials, ensure_ascii=False, indent=2), encoding="utf-8")
        path.chmod(0o600)
    return credentials


DEMO_NOTICES = (
    {"title": "Lịch tiếp công dân tháng 12/2026", "priority": "priority", "category": "local",
     "body": "<p>Chủ tịch Ủy ban nhân dân phường tiếp công dân định kỳ vào <strong>sáng thứ Năm</strong> hằng tuần "
             "tại Bộ phận tiếp nhận và trả kết quả.</p><p>Người dân mang theo giấy tờ tùy thân và hồ sơ liên quan.</p>"},
    {"title": "Thu gom rác thải sinh hoạt", "priority": "normal", "category": "environment", "days": [1, 3, 5],
     "body": "<p>Xe thu gom rác đi qua các tổ dân phố từ <strong>17 giờ đến 19 giờ</strong> vào thứ Hai, thứ Tư, "
             "thứ Sáu. Đề nghị các hộ gia đình phân loại rác tại nguồn.</p>"},
    {"title": "Kích hoạt tài khoản định danh điện tử VNeID mức 2", "priority": "normal", "category": "digital",
     "qr_url": "https://vneid.gov.vn",
     "body": "<p>Công an phường hỗ trợ kích hoạt tài khoản VNeID mức 2 tại trụ sở trong giờ hành chính.</p>",
     "translations": [{"language": "tyz", "title": "Kích hoạt VNeID mức 2 (tiếng Tày)",
                       "body": "<p>Bản dịch tiếng Tày do cán bộ văn hóa phường cung cấp.</p>"}]},
)


def _demo_notices() -> None:
    """Publish a few notices through the real path: the editor writes, the approver approves."""
    editor = users.find_by_email("bientap@bangtin.local")
    approver = users.find_by_email("duyet@bangtin.local")
    for body in DEMO_NOTICES:
        notice = notices.create_notice({**body, "unit_code": DEMO_COMMUNE}, editor)
        notices.submit(notice, editor)
        notices.approve(notice, approver)


def _demo_playlist() -> None:
    """Publish the one-stop desk's morning loop: the VNeID guide first, on working days' mornings."""
    from kiosk_server.services.content import playlists

    editor = users.find_by_email("bientap@bangtin.local")
    approver = users.find_by_email("duyet@bangtin.local")
    by_title = {n.title: n.id for n in db.session.scalars(select(Notice))}
    playlist = playlists.create_playlist({
        "name": "Vòng buổi sáng bộ phận một cửa", "unit_code": DEMO_COMMUNE, "mode": "mixed",
        "targets": {"groups": ["Trụ sở"]}, "days": [1, 2, 3, 4, 5], "hours": [["07:00", "11:30"]],
        "items": [{"notice_id": by_title["Kích hoạt tài khoản định danh điện tử VNeID mức 2"]},
                  {"notice_id": by_title["Lịch tiếp công dân tháng 12/2026"]}],
    }, editor)
    playlists.submit(playlist, editor)
    playlists.approve(playlist, approver)


def sign_in_hint(credentials: dict, bind: str) -> str:
    """Return the lines that tell a newcomer where and how to sign in."""
    lines = [f"Đăng nhập tại http://{bind}/login"]
    for email, password in credentials.items():
        lines.append(f"  {email:<24} mật khẩu: {password}")
    if not credentials:
        lines.append("  (dùng tài khoản đã tạo bằng: flask --app wsgi kiosk create-user)")
    return "\n".join(lines)
