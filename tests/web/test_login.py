"""Signing in to the officer UI: Vietnamese, CSRF-protected, rate-limited, no open redirect."""

import pytest
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry
from kiosk_server.web.redirects import safe_next
from tests.conftest import make_app


def test_login_page_speaks_vietnamese(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Mật khẩu" in html


def test_pages_need_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_officer_signs_in_and_out(client, auth, officers):
    response = auth.login("xa@example.vn")
    assert response.status_code == 302
    home = client.get("/admin/")
    assert home.status_code == 200
    assert "Phường Minh Xuân" in home.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.login")) is not None
    auth.logout()
    assert client.get("/admin/").status_code == 302


def test_wrong_password_is_refused_in_vietnamese(client, auth, officers):
    response = auth.login("xa@example.vn", "wrong-password")
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_deactivated_officer_cannot_sign_in(auth, officers):
    officers["viewer"].active = False
    db.session.commit()
    assert auth.login("xem@example.vn").status_code == 401


def test_login_without_csrf_token_is_refused(client, officers):
    response = client.post("/login", data={"email": "xa@example.vn", "password": "password-123"})
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_forms_inside_need_csrf_too(client, auth, officers):
    auth.login("xa@example.vn")
    response = client.post("/admin/users/new", data={"email": "x@y.vn", "role": "viewer", "password": "p" * 12})
    assert response.status_code == 400


def test_guessing_passwords_gets_429(tmp_path, officers):
    app = make_app(tmp_path / "limited", RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    from tests.conftest import Auth

    auth = Auth(client)
    responses = [auth.login("xa@example.vn", f"guess-{i}") for i in range(4)]
    assert [r.status_code for r in responses] == [401, 401, 401, 429]
    assert "thao tác quá nhanh" in responses[-1].get_data(as_text=True)
    assert auth.login("xa@example.vn").status_code == 429, "even the right password waits out the limit"


def test_next_parameter_cannot_leave_the_site(client, auth, officers):
    client.get("/login?next=//evil.example/x")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": "xa@example.vn", "password": "password-123", "csrf_token": auth.csrf()},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example/x", "/\t/evil.example/x",
                                    "https://evil.example/", "admin/", "", None])
def test_only_paths_on_this_site_are_followed_back(target):
    assert safe_next(target, "/admin/") == "/admin/"
    assert safe_next("/admin/notices?page=2", "/admin/") == "/admin/notices?page=2"


def test_english_can_be_chosen(client, auth, officers):
    token = auth.csrf()
    response = client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    assert response.status_code == 302
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Password" in html


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)
