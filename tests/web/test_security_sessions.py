"""Issue 10, item 5: secure cookies over https, a 30-day remember-me, sessions that can be ended."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, User
from tests.conftest import Auth, make_app


def _cookie_header(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


def _signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _login(app, email: str, remember: bool = False):
    client = app.test_client()
    auth = Auth(client)
    data = {"email": email, "password": "password-123", "csrf_token": auth.csrf()}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return client, response


def test_cookies_are_secure_when_the_public_url_is_https(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://bangtin.example.vn")
    with app.app_context():
        from kiosk_server.services.core.users import create_user

        create_user("xa@example.vn", "password-123", "admin", None, actor="test")
        client = app.test_client()
        page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                               data={"email": "xa@example.vn", "password": "password-123", "remember": "y",
                                     "csrf_token": token})
        assert response.status_code == 302
        assert "Secure" in _cookie_header(response, "session")
        assert "Secure" in _cookie_header(response, "remember_token")


def test_cookies_are_not_marked_secure_on_plain_http(app, officers):
    _, response = _login(app, "xa@example.vn", remember=True)
    assert "Secure" not in _cookie_header(response, "session")


def test_remember_me_lasts_at_most_thirty_days(tmp_path):
    app = make_app(tmp_path, REMEMBER_COOKIE_DURATION=timedelta(days=365))
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    with app.app_context():
        from kiosk_server.services.core.users import create_user

        create_user("xa@example.vn", "password-123", "admin", None, actor="test")
        _, response = _login(app, "xa@example.vn", remember=True)
        expires = re.search(r"Expires=([^;]+)", _cookie_header(response, "remember_token")).group(1)
        left = parsedate_to_datetime(expires) - datetime.now(UTC)
        assert timedelta(days=29) < left <= timedelta(days=30, minutes=1)


def test_password_change_ends_the_officers_other_sessions(app, officers):
    editor, _ = _login(app, "bientap@example.vn")
    remembered, _ = _login(app, "bientap@example.vn", remember=True)
    admin, _ = _login(app, "xa@example.vn")
    person = _user("bientap@example.vn")
    page = admin.get(f"/admin/users/{person.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = admin.post(f"/admin/users/{person.id}", data={
        "csrf_token": token, "email": person.email, "name": "", "role": "editor", "unit_code": person.unit_code,
        "password": "a-new-password-456", "active": "y"})
    assert response.status_code == 302
    assert not _signed_in(editor)
    # The remember cookie carries the old generation too: without the session it signs in no one.
    remembered.delete_cookie("session")
    assert not _signed_in(remembered)
    assert _signed_in(admin)


def test_own_password_change_keeps_this_session_and_ends_the_others(app, officers):
    here, _ = _login(app, "xa@example.vn")
    elsewhere, _ = _login(app, "xa@example.vn")
    me = _user("xa@example.vn")
    page = here.get(f"/admin/users/{me.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = here.post(f"/admin/users/{me.id}", data={
        "csrf_token": token, "email": me.email, "name": "", "role": "admin", "unit_code": me.unit_code,
        "password": "a-new-password-456", "active": "y"})
    assert response.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def _sign_out_everywhere(client, user_id: int):
    page = client.get(f"/admin/users/{user_id}")
    assert "Đăng xuất mọi nơi" in page.get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post(f"/admin/users/{user_id}/sign-out-everywhere", data={"csrf_token": token})


def test_admin_signs_an_officer_out_everywhere_and_it_is_audited(app, officers):
    editor, _ = _login(app, "bientap@example.vn")
    admin, _ = _login(app, "xa@example.vn")
    person = _user("bientap@example.vn")
    before = person.session_generation
    response = _sign_out_everywhere(admin, person.id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/users/{person.id}")
    assert not _signed_in(editor)
    assert _signed_in(admin)
    assert _user("bientap@example.vn").session_generation == before + 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sign_out_everywhere"))
    assert entry is not None and entry.object_id == str(person.id) and entry.actor == "xa@example.vn"
    # The officer signs in again as usual.
    again, _ = _login(app, "bientap@example.vn")
    assert _signed_in(again)


def test_sign_out_everywhere_needs_the_power_over_that_officer(app, officers):
    editor, _ = _login(app, "bientap@example.vn")
    target = _user("xa@example.vn")
    token = Auth(editor).csrf("/admin/")
    assert editor.post(f"/admin/users/{target.id}/sign-out-everywhere", data={"csrf_token": token}).status_code == 403
    other, _ = _login(app, "caobang@example.vn")
    token = Auth(other).csrf("/admin/")
    assert other.post(f"/admin/users/{target.id}/sign-out-everywhere", data={"csrf_token": token}).status_code == 404
    assert _user("xa@example.vn").session_generation == 0
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sign_out_everywhere")) is None


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_nginx_example_serves_https_and_redirects_http():
    from pathlib import Path

    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 443 ssl" in conf
    assert "return 301 https://" in conf
    assert conf.count("X-Forwarded-Proto $scheme") >= 2
