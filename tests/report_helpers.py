"""A small data set for report tests, with the figures it must give for 01/01/2026–30/06/2026.

Times are written in Viet Nam time (+07:00) so the edges of the period are plain to see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from kiosk_server.domain.links import DEFAULT_LINKS
from kiosk_server.extensions import db
from kiosk_server.models import Alert, AlertAck, AlertUnit, Kiosk, Notice, PublicLink, QrCode, Unit
from kiosk_server.services.reports import plays
from kiosk_server.services.screens.kiosks import provision_kiosk
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE
from tests.feedback_helpers import make_item

NOW = datetime.fromisoformat("2026-07-15T10:00:00+07:00")


def vn(text: str) -> datetime:
    """Return the instant written as Viet Nam local time."""
    return datetime.fromisoformat(text + "+07:00")


@dataclass
class Seeded:
    kiosks: dict[str, int]
    notices: dict[str, int]
    alerts: dict[str, int]
    sibling: str  # another commune of the same province


def _kiosk(name: str, unit: str, created: str, **extra) -> Kiosk:
    kiosk, _token = provision_kiosk(name, unit, actor="test")
    kiosk.created_at = vn(created)
    for key, value in extra.items():
        setattr(kiosk, key, value)
    db.session.commit()
    return kiosk


def _notice(author_id: int, unit: str, title: str, category: str, priority: str, approved: str | None) -> int:
    notice = Notice(unit_code=unit, author_id=author_id, title=title, category=category, priority=priority,
                    status="published" if approved else "draft", approved_at=vn(approved) if approved else None)
    db.session.add(notice)
    db.session.commit()
    return notice.id


def _alert(headline: str, units: list[str], raised: str) -> Alert:
    at = vn(raised)
    alert = Alert(identifier=f"test-{headline}", sender="test", sent_at=at, created_at=at, headline=headline,
                  hazard="flood", level=3, unit_codes=units, expires_at=at + timedelta(hours=6))
    alert.areas = [AlertUnit(unit_code=code) for code in units]
    db.session.add(alert)
    db.session.commit()
    return alert


def _play(item: str, at: str, seconds: float) -> dict:
    return {"item": item, "started_at": at + "+07:00", "duration_s": seconds}


def seed(author_id: int) -> Seeded:
    """Store the data set; see test_reports.py for the figures it gives."""
    sibling = db.session.scalar(select(Unit.code).where(Unit.parent_code == PROVINCE, Unit.code != COMMUNE).limit(1))
    k1 = _kiosk("Bộ phận một cửa", COMMUNE, "2025-12-01T08:00:00")
    k2 = _kiosk("Nhà văn hóa tổ 3", COMMUNE, "2026-03-01T08:00:00", last_seen=vn("2026-04-01T09:00:00"))
    k5 = _kiosk("Chợ cũ", COMMUNE, "2025-11-01T08:00:00", revoked_at=vn("2025-12-15T08:00:00"))
    k3 = _kiosk("Màn hình xã bên", sibling, "2025-12-01T08:00:00")
    k4 = _kiosk("Cao Bằng", OTHER_COMMUNE, "2025-12-01T08:00:00")

    batch = [
        _play("n1", "2025-12-31T23:59:00", 15),  # the day before the period
        _play("n1", "2026-02-01T10:00:00", 30),
        _play("n1", "2026-02-01T10:01:00", 45),
        _play("links", "2026-06-30T23:59:30", 20),  # the period's last minute
        _play("n1", "2026-07-01T00:00:10", 10),  # the day after
    ]
    plays.record_played(k1.id, batch)
    plays.record_played(k1.id, batch)  # the ack was lost: the player sends it again
    plays.record_played(k3.id, [_play("n2", "2026-03-01T12:00:00", 60)])
    plays.record_played(k4.id, [_play("n3", "2026-03-01T12:00:00", 100)])

    notices = {
        "local": _notice(author_id, COMMUNE, "Lịch tiếp công dân", "local", "normal", "2026-01-10T09:00:00"),
        "flood": _notice(author_id, COMMUNE, "Phòng chống lũ", "disaster", "emergency", "2026-05-05T09:00:00"),
        "late_june": _notice(author_id, COMMUNE, "Họp tổ dân phố", "local", "priority", "2026-06-30T20:00:00"),
        "july": _notice(author_id, COMMUNE, "Tháng Bảy", "local", "normal", "2026-07-01T08:00:00"),
        "draft": _notice(author_id, COMMUNE, "Bản nháp", "local", "normal", None),
        "sibling": _notice(author_id, sibling, "Tiêm chủng", "health", "normal", "2026-04-01T09:00:00"),
        "cao_bang": _notice(author_id, OTHER_COMMUNE, "Cao Bằng", "local", "normal", "2026-04-01T09:00:00"),
    }

    province_alert = _alert("Lũ trên sông Lô", [PROVINCE], "2026-03-10T09:00:00")
    db.session.add_all([AlertAck(alert_id=province_alert.id, kiosk_id=k1.id, at=vn("2026-03-10T09:00:30")),
                        AlertAck(alert_id=province_alert.id, kiosk_id=k3.id, at=vn("2026-03-10T09:01:30"))])
    other_alert = _alert("Sạt lở Cao Bằng", [OTHER_COMMUNE], "2026-03-11T09:00:00")
    db.session.add(AlertAck(alert_id=other_alert.id, kiosk_id=k4.id, at=vn("2026-03-11T09:00:05")))
    db.session.commit()

    answered = [("2026-02-01T08:00:00", "2026-02-03T08:00:00"), ("2026-03-01T08:00:00", "2026-03-05T08:00:00")]
    for created, answered_at in answered:
        item = make_item(COMMUNE)
        item.created_at, item.status, item.answer, item.answered_at = vn(created), "answered", "Đã xử lý.", vn(answered_at)
    for created in ("2026-06-01T08:00:00", "2026-07-10T08:00:00"):  # the second is after the period
        make_item(COMMUNE).created_at = vn(created)
    make_item(OTHER_COMMUNE).created_at = vn("2026-02-01T08:00:00")
    db.session.commit()

    db.session.add(PublicLink(unit_code=COMMUNE, url="https://minhxuan.example/dich-vu", caption="Dịch vụ của phường"))
    db.session.add_all([
        QrCode(code="n1", url=f"http://bang-tin.example/n/{notices['local']}", scans=5),
        QrCode(code="lnk", url="https://minhxuan.example/dich-vu", scans=2),
        QrCode(code="nat", url=DEFAULT_LINKS[0]["url"], scans=7),
        QrCode(code="cb", url=f"http://bang-tin.example/n/{notices['cao_bang']}", scans=11),
    ])
    db.session.commit()
    return Seeded(
        kiosks={"k1": k1.id, "k2": k2.id, "k3": k3.id, "k4": k4.id, "k5": k5.id},
        notices=notices, alerts={"province": province_alert.id, "other": other_alert.id}, sibling=sibling,
    )

