"""Citizens' side of the board: the commune's page, its Atom feed, QR links and counted scans."""

import defusedxml.ElementTree as ET
import pytest
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import QrCode
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, OTHER_COMMUNE, bearer, make_app
from tests.notice_helpers import create, publish, vn_day_ahead

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

ATOM = "{http://www.w3.org/2005/Atom}"


def test_board_lists_what_reaches_the_commune(client, tokens):
    publish(client, tokens, title="Lịch tiêm chủng", ends_at=f"{vn_day_ahead(30):%Y-%m-%d}T00:00")
    publish(client, tokens, author="province_admin", approver="national", unit_code="08", title="Tin của tỉnh")
    create(client, tokens["editor"], title="Bản nháp chưa duyệt")
    page = client.get(f"/p/{COMMUNE}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Lịch tiêm chủng" in html and "Tin của tỉnh" in html
    assert "Bản nháp chưa duyệt" not in html
    assert "<script" not in html
    other = client.get(f"/p/{OTHER_COMMUNE}").get_data(as_text=True)
    assert "Lịch tiêm chủng" not in other and "Hiện chưa có thông báo nào." in other


def test_board_of_an_unknown_unit_is_a_public_404(client):
    response = client.get("/p/99999")
    assert response.status_code == 404
    assert "Đăng xuất" not in response.get_data(as_text=True)


def test_atom_feed_is_valid_and_escaped(client, tokens):
    publish(client, tokens, title="Thông báo <quan trọng> & khẩn", body="<p>Nội dung <strong>đậm</strong></p>")
    response = client.get(f"/p/{COMMUNE}/feed.xml")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Thông báo <quan trọng> & khẩn"
    assert entry.find(f"{ATOM}content").text == "<p>Nội dung <strong>đậm</strong></p>"
    assert entry.find(f"{ATOM}link").get("href").endswith("/n/1")


def test_without_public_url_qr_codes_carry_their_target(client, tokens):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    publish(client, tokens, qr_url="https://dichvucong.gov.vn/thu-tuc/1")
    manifest = client.get("/kiosk/manifest", headers=bearer(token)).get_json()
    item = manifest["items"][0]
    assert item["qr_url"] == "https://dichvucong.gov.vn/thu-tuc/1"
    assert item["public_url"] is None, "a page phones cannot reach is not advertised"
    assert manifest["links"][0]["url"] == "https://dichvucong.gov.vn"
    assert db.session.scalar(select(QrCode)) is None


def test_with_public_url_scans_are_counted_and_redirected(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://bangtin.tuyenquang.gov.vn")
    with app.app_context():
        from kiosk_server.services.core.tokens import create_token
        from kiosk_server.services.core.users import create_user

        editor = create_user("e@example.vn", "password-123", "editor", COMMUNE, actor="test")
        approver = create_user("a@example.vn", "password-123", "approver", COMMUNE, actor="test")
        tokens = {"editor": create_token(editor)[1], "approver": create_token(approver)[1]}
        _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
        client = app.test_client()
        approved = publish(client, tokens, qr_url="https://dichvucong.gov.vn/thu-tuc/1")
        manifest = client.get("/kiosk/manifest", headers=bearer(token)).get_json()
        item = manifest["items"][0]
        assert item["qr_url"].startswith("https://bangtin.tuyenquang.gov.vn/q/")
        assert item["public_url"].startswith("https://bangtin.tuyenquang.gov.vn/q/")
        code = item["qr_url"].rsplit("/", 1)[1]
        for _ in range(2):
            response = client.get(f"/q/{code}")
            assert response.status_code == 302
            assert response.headers["Location"] == "https://dichvucong.gov.vn/thu-tuc/1"
        assert db.session.get(QrCode, code).scans == 2
        public_code = item["public_url"].rsplit("/", 1)[1]
        assert client.get(f"/q/{public_code}").headers["Location"] == f"https://bangtin.tuyenquang.gov.vn/n/{approved['id']}"
        assert client.get("/q/nope").status_code == 404


def test_officer_adds_a_link_and_screens_below_show_it_first(client, auth, officers):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    before = client.get("/kiosk/manifest", headers=bearer(token)).get_json()["version"]
    auth.login("tinh@example.vn")
    response = client.post("/admin/links", data={"unit_code": "08", "caption": "Cổng dịch vụ công tỉnh",
                                                 "url": "https://dichvucong.tuyenquang.gov.vn",
                                                 "csrf_token": auth.csrf("/admin/links")})
    assert response.status_code == 302
    manifest = client.get("/kiosk/manifest", headers=bearer(token)).get_json()
    assert manifest["version"] > before
    assert manifest["links"][0] == {"url": "https://dichvucong.tuyenquang.gov.vn",
                                    "target": "https://dichvucong.tuyenquang.gov.vn", "caption": "Cổng dịch vụ công tỉnh"}
    bad = client.post("/admin/links", data={"unit_code": "08", "caption": "x", "url": "javascript:alert(1)",
                                            "csrf_token": auth.csrf("/admin/links")})
    assert bad.status_code == 422
