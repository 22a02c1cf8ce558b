"""A screen's uptime page: reached from the screen list, outages listed with start and end in Viet Nam time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk_server.domain.reports import VN
from kiosk_server.extensions import db
from kiosk_server.models import KioskSession
from kiosk_server.models.base import utcnow
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, OTHER_COMMUNE

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)


def _screen_with_an_outage():
    kiosk, _ = kiosks.provision_kiosk("Bộ phận một cửa", COMMUNE, actor="test")
    today = utcnow().astimezone(VN).replace(hour=0, minute=0, second=0, microsecond=0)
    down, back = today - timedelta(days=2, hours=-9), today - timedelta(days=2, hours=-11, minutes=-30)
    db.session.add_all([
        KioskSession(kiosk_id=kiosk.id, started_at=today - timedelta(days=5), last_heard_at=down, ended_at=down),
        KioskSession(kiosk_id=kiosk.id, started_at=back, last_heard_at=utcnow(), ended_at=None),
    ])
    db.session.commit()
    return kiosk, down, back


def test_officer_reads_a_screens_outages_from_its_list(client, auth, officers):
    kiosk, down, back = _screen_with_an_outage()
    auth.login("xem@example.vn")

    listing = client.get("/admin/kiosks").get_data(as_text=True)
    assert f"/admin/kiosks/{kiosk.id}/uptime" in listing

    response = client.get(f"/admin/kiosks/{kiosk.id}/uptime")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Các lần mất kết nối" in page
    assert down.astimezone(VN).strftime("%d/%m/%Y 09:00:00") in page
    assert back.astimezone(VN).strftime("%d/%m/%Y 11:30:00") in page
    assert "2 giờ 30 phút" in page
    assert 'data-testid="report-chart"' in page


def test_a_screen_outside_the_officers_scope_is_not_found(client, auth, officers):
    other, _ = kiosks.provision_kiosk("Chợ", OTHER_COMMUNE, actor="test")
    auth.login("xem@example.vn")
    assert client.get(f"/admin/kiosks/{other.id}/uptime").status_code == 404


def test_a_bad_date_is_named_in_vietnamese_and_the_page_still_shows(client, auth, officers):
    kiosk, _down, _back = _screen_with_an_outage()
    auth.login("xem@example.vn")

    response = client.get(f"/admin/kiosks/{kiosk.id}/uptime", query_string={"from": "31/02/2026", "to": "01/03/2026"})
    assert response.status_code == 422
    assert "Ngày phải viết dạng dd/mm/yyyy" in response.get_data(as_text=True)

    too_long = client.get(f"/admin/kiosks/{kiosk.id}/uptime", query_string={"from": "01/01/2026", "to": "31/12/2026"})
    assert too_long.status_code == 422 and "tối đa 93 ngày" in too_long.get_data(as_text=True)


def test_a_screen_that_never_connected_says_so(client, auth, officers):
    kiosk, _ = kiosks.provision_kiosk("Nhà văn hóa", COMMUNE, actor="test")
    auth.login("xem@example.vn")
    assert "chưa kết nối lần nào" in client.get(f"/admin/kiosks/{kiosk.id}/uptime").get_data(as_text=True)




def test_the_report_page_and_its_csv_give_uptime_and_scans_of_the_period(client, auth, officers):
    _kiosk, down, _back = _screen_with_an_outage()
    auth.login("xem@example.vn")
    # The period holding the outage (two days ago): on 1 January or 1 July, the default period is the
    # half-year that has just begun and rightly holds none of it.
    period = {"unit": COMMUNE, "from": f"{down.astimezone(VN) - timedelta(days=3):%d/%m/%Y}",
              "to": f"{utcnow().astimezone(VN):%d/%m/%Y}"}

    page = client.get("/admin/reports", query_string=period).get_data(as_text=True)
    assert 'data-testid="report-uptime"' in page and "1 lần mất kết nối" in page
    assert 'data-testid="report-qr"' in page and "lượt quét mã QR trong kỳ" in page

    csv_text = client.get("/admin/reports/summary.csv", query_string=period).get_data().decode("utf-8-sig")
    keys = {line.split(",")[0] for line in csv_text.splitlines()}
    assert {"uptime.share", "uptime.outages", "qr.scans", "qr.national_links_scans"} <= keys
