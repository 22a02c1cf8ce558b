"""Tổng quan: what needs the officer's attention now, each with a link, and only in their scope."""

from __future__ import annotations

from datetime import timedelta

from kiosk_server.domain import play_log
from kiosk_server.extensions import db
from kiosk_server.models import Alert, AlertAck, AlertUnit, Notice
from kiosk_server.models.base import utcnow
from kiosk_server.services.read_models import attention
from kiosk_server.services.reports import plays
from kiosk_server.services.screens.kiosks import provision_kiosk
from tests.conftest import COMMUNE, OTHER_COMMUNE
from tests.feedback_helpers import make_item


def _screens():
    now = utcnow()
    online, _ = provision_kiosk("Đang chạy", COMMUNE, actor="test")
    online.connected, online.last_seen = True, now - timedelta(seconds=20)
    silent, _ = provision_kiosk("Nhà văn hóa", COMMUNE, actor="test")
    silent.connected, silent.last_seen = True, now - timedelta(hours=3)  # its process died without a disconnect
    never, _ = provision_kiosk("Chưa cắm điện", COMMUNE, actor="test")
    elsewhere, _ = provision_kiosk("Cao Bằng", OTHER_COMMUNE, actor="test")
    db.session.commit()
    return online, silent, never, elsewhere


def test_offline_screens_listed_with_since_when_and_only_in_scope(app, officers):
    _online, silent, never, _elsewhere = _screens()

    found = attention.attention(officers["commune_admin"])

    assert found.offline_count == 2
    assert [row["id"] for row in found.offline] == [never.id, silent.id]  # never heard from first
    assert found.offline[1]["since"] == silent.last_seen


def test_awaiting_alerts_overdue_feedback_and_plays_today(app, officers):
    online, *_ = _screens()
    db.session.add(Notice(unit_code=COMMUNE, author_id=officers["editor"].id, title="Chờ duyệt", status="submitted"))
    db.session.add(Notice(unit_code=OTHER_COMMUNE, author_id=officers["editor"].id, title="Xa", status="submitted"))
    now = utcnow()
    alert = Alert(identifier="a1", sender="t", sent_at=now, headline="Lũ", hazard="flood", level=4,
                  unit_codes=[COMMUNE], expires_at=now + timedelta(hours=2), kiosk_count=3)
    alert.areas = [AlertUnit(unit_code=COMMUNE)]
    db.session.add(alert)
    db.session.commit()
    db.session.add(AlertAck(alert_id=alert.id, kiosk_id=online.id, at=now))
    make_item(COMMUNE).created_at = now - timedelta(days=30)
    make_item(COMMUNE)
    db.session.commit()
    # Within today in Viet Nam, even a minute after midnight there.
    started = max(now - timedelta(minutes=5), play_log.day_bounds(play_log.vn_day(now))[0])
    played = [{"item": "n1", "started_at": started.isoformat(), "duration_s": 30}]
    plays.record_played(online.id, played)
    plays.record_played(online.id, played)

    found = attention.attention(officers["commune_admin"])

    assert found.awaiting_approval == 1 and found.awaiting[0].title == "Chờ duyệt"
    assert [(row["alert"].id, row["acknowledged"], row["screens"]) for row in found.alerts] == [(alert.id, 1, 3)]
    assert found.feedback_overdue == 1
    assert (found.plays_today.plays, found.plays_today.seconds) == (1, 30.0)


def test_dashboard_page_links_each_item(client, auth, officers):
    _online, silent, _never, _elsewhere = _screens()
    auth.login("xa@example.vn")

    html = client.get("/admin/").get_data(as_text=True)

    assert 'data-testid="offline-count"><span class="num">2</span>' in html
    assert f"/admin/kiosks/{silent.id}/timeline" in html
    assert "Chưa kết nối lần nào" in html
    assert "Cao Bằng" not in html
    assert "/admin/feedback?overdue=1" in html
    assert "/admin/approvals" in html and "/admin/reports" in html


def test_national_officer_sees_every_screen(app, officers):
    _screens()
    # Three offline screens in Tuyên Quang and the one in Cao Bằng, never connected.
    assert attention.attention(officers["national"]).offline_count == 3
    assert attention.attention(officers["other_admin"]).offline_count == 1
