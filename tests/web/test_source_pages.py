"""The officer's "Nguồn tin" pages: add a portal's RSS and a weather agency's CAP feed, see their items flow."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Alert, Notice, Source
from tests.cap_samples import cap_message
from tests.conftest import COMMUNE, OTHER_COMMUNE, make_app
from tests.source_server import rss


@pytest.fixture
def app(tmp_path, upstream):
    app = make_app(tmp_path, SOURCE_ALLOW_HOSTS=upstream.host, SOURCE_READ_TIMEOUT=1, SOURCE_TOTAL_TIMEOUT=3)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def add(client, auth, **fields):
    form = {"name": "Cổng thông tin điện tử tỉnh", "kind": "feed", "unit_code": COMMUNE, "poll_seconds": "300",
            "bulletin_class": "normal", "active": "y", "csrf_token": auth.csrf("/admin/sources/new"), **fields}
    return client.post("/admin/sources/new", data=form)


def poll(client, auth, source_id):
    return client.post(f"/admin/sources/{source_id}/poll", data={"csrf_token": auth.csrf(f"/admin/sources/{source_id}")})


def test_the_navigation_leads_to_the_sources(client, auth, officers):
    auth.login("xem@example.vn")
    page = client.get("/admin/").get_data(as_text=True)
    assert re.search(r'href="/admin/sources"[^>]*>Nguồn tin', page)
    assert client.get("/admin/sources").status_code == 200


def test_an_officer_adds_the_province_portal_and_its_bulletins_wait_in_the_queue(client, auth, officers, upstream):
    upstream.serve("/rss", rss(("g1", "Kế hoạch chuyển đổi số năm 2027", "https://tuyenquang.gov.vn/cds", "Nội dung.")))
    auth.login("bientap@example.vn")
    answer = add(client, auth, url=upstream.url("/rss"))
    assert answer.status_code == 302
    source = db.session.scalar(select(Source))
    poll(client, auth, source.id)

    page = client.get("/admin/sources").get_data(as_text=True)
    assert "Kế hoạch chuyển đổi số năm 2027" in page and "Lên lịch, gửi duyệt" in page
    detail = client.get(f"/admin/sources/{source.id}").get_data(as_text=True)
    assert 'data-testid="items-taken">1<' in detail and "https://tuyenquang.gov.vn/cds" in detail
    notice = db.session.scalar(select(Notice))
    assert notice.status == "draft"
    page = client.get(f"/admin/notices/{notice.id}").get_data(as_text=True)
    assert "Nguồn tin: Cổng thông tin điện tử tỉnh" in page, "the author is the source"
    assert 'href="https://tuyenquang.gov.vn/cds"' in page, "the original article is one click away"


def test_a_weather_agencys_cap_feed_waits_for_an_approver_who_sends_it(client, auth, officers, upstream):
    upstream.serve("/cap.xml", cap_message("KTTV-UI-1"), content_type="application/cap+xml")
    auth.login("bientap@example.vn")
    add(client, auth, name="Đài KTTV tỉnh", kind="cap", url=upstream.url("/cap.xml"))
    source = db.session.scalar(select(Source))
    poll(client, auth, source.id)
    assert db.session.scalar(select(Alert.id)) is None
    auth.logout()

    auth.login("duyet@example.vn")
    page = client.get("/admin/sources").get_data(as_text=True)
    assert "Cảnh báo lũ quét" in page and "Phát cảnh báo" in page
    item_id = re.search(r'/admin/sources/items/(\d+)/send', page).group(1)
    sent = client.post(f"/admin/sources/items/{item_id}/send", data={"csrf_token": auth.csrf("/admin/sources")})
    alert = db.session.scalar(select(Alert))
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/admin/alerts/{alert.id}")
    assert alert.identifier == "KTTV-UI-1" and alert.created_by_id == officers["approver"].id


def test_a_refused_address_is_shown_in_plain_words(client, auth, officers, upstream):
    auth.login("bientap@example.vn")
    add(client, auth, url=f"http://localhost:{upstream.port}/rss")
    source = db.session.scalar(select(Source))
    poll(client, auth, source.id)
    detail = client.get(f"/admin/sources/{source.id}").get_data(as_text=True)
    assert "Địa chỉ trỏ vào mạng nội bộ, bị từ chối" in detail
    assert "Địa chỉ trỏ vào mạng nội bộ, bị từ chối" in client.get("/admin/sources").get_data(as_text=True)


def test_a_bad_form_shows_errors_beside_the_fields_and_stores_nothing(client, auth, officers):
    auth.login("bientap@example.vn")
    answer = add(client, auth, url="file:///etc/passwd")
    assert answer.status_code == 422
    assert re.search(r'id="url-error">Chỉ nhận địa chỉ http:// hoặc https://', answer.get_data(as_text=True))
    answer = add(client, auth, url="https://tuyenquang.gov.vn/rss", unit_code=OTHER_COMMUNE)
    assert answer.status_code == 422 and "ngoài phạm vi" in answer.get_data(as_text=True)
    assert db.session.scalar(select(Source.id)) is None


def test_a_viewer_sees_sources_but_cannot_change_them(client, auth, officers, upstream):
    auth.login("bientap@example.vn")
    add(client, auth, url=upstream.url("/rss"))
    source = db.session.scalar(select(Source))
    auth.logout()
    auth.login("xem@example.vn")
    assert client.get(f"/admin/sources/{source.id}").status_code == 200
    assert client.get("/admin/sources/new").status_code == 403
    assert poll(client, auth, source.id).status_code == 403
    auth.logout()
    auth.login("caobang@example.vn")
    assert client.get(f"/admin/sources/{source.id}").status_code == 404


def test_the_approver_who_added_a_source_is_told_why_they_cannot_let_it_publish_alone(client, auth, officers, upstream):
    auth.login("duyet@example.vn")
    add(client, auth, url=upstream.url("/rss"), bulletin_class="priority", auto_publish="y")
    source = db.session.scalar(select(Source))
    assert source.auto_publish and source.trusted_by_id is None, "its creator is its author: not its trust"
    answer = client.post(f"/admin/sources/{source.id}/trust", data={"csrf_token": auth.csrf(f"/admin/sources/{source.id}")},
                         follow_redirects=True)
    assert "phải là cán bộ duyệt tin khác với người tạo nguồn" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Source, source.id).trusted_by_id is None
    auth.logout()

    auth.login("tinh@example.vn")  # the province's admin, an approver who neither added nor changed it
    answer = client.post(f"/admin/sources/{source.id}/trust", data={"csrf_token": auth.csrf(f"/admin/sources/{source.id}")},
                         follow_redirects=True)
    assert "Tự phát hành, người duyệt: tinh@example.vn" in answer.get_data(as_text=True)
