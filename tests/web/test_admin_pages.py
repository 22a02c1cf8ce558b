"""The officer pages: users, tokens, screens, units and the audit log, each within scope."""

import re

from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import ApiToken, Kiosk, User
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE


def test_admin_creates_an_officer_in_the_ui(client, auth, officers):
    auth.login("tinh@example.vn")
    form = {"email": "moi@example.vn", "name": "Nguyễn Văn Mới", "role": "editor", "unit_code": COMMUNE,
            "password": "mat-khau-moi-1", "csrf_token": auth.csrf("/admin/users/new")}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "moi@example.vn"))
    assert (user.name, user.role, user.unit_code) == ("Nguyễn Văn Mới", "editor", COMMUNE)


def test_ui_shows_field_errors_beside_the_field(client, auth, officers):
    auth.login("tinh@example.vn")
    form = {"email": "xa@example.vn", "role": "editor", "unit_code": COMMUNE, "password": "mat-khau-moi-1",
            "csrf_token": auth.csrf("/admin/users/new")}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="email-error">Email này đã được dùng', html)
    assert db.session.scalar(select(func.count()).select_from(User)) == len(officers)


def test_commune_admin_cannot_create_outside_their_commune(client, auth, officers):
    auth.login("xa@example.vn")
    form = {"email": "ngoai@example.vn", "role": "editor", "unit_code": OTHER_COMMUNE,
            "password": "mat-khau-moi-1", "csrf_token": auth.csrf("/admin/users/new")}
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    assert "ngoài phạm vi" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "ngoai@example.vn")) is None


def test_editor_cannot_open_user_management(client, auth, officers):
    auth.login("bientap@example.vn")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/audit").status_code == 403


def test_officer_creates_and_revokes_a_token(client, auth, officers):
    auth.login("bientap@example.vn")
    response = client.post("/admin/tokens", data={"name": "Cổng tỉnh", "csrf_token": auth.csrf("/admin/tokens")})
    token = re.search(r'data-testid="new-token">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "Cổng tỉnh"))
    client.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": auth.csrf("/admin/tokens")})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert token not in client.get("/admin/tokens").get_data(as_text=True), "a token is shown once only"


def test_editor_provisions_a_screen(client, auth, officers):
    auth.login("bientap@example.vn")
    response = client.post("/admin/kiosks", data={"name": "Chợ phường", "unit_code": COMMUNE, "groups": "Chợ, Ngoài trời",
                                                   "csrf_token": auth.csrf("/admin/kiosks")})
    assert response.status_code == 200
    assert 'data-testid="new-token">kt_' in response.get_data(as_text=True)
    kiosk = db.session.scalar(select(Kiosk))
    assert kiosk.name == "Chợ phường"
    assert sorted(g.name for g in kiosk.groups) == ["Chợ", "Ngoài trời"]


def test_viewer_sees_screens_but_cannot_add(client, auth, officers):
    auth.login("xem@example.vn")
    assert client.get("/admin/kiosks").status_code == 200
    response = client.post("/admin/kiosks", data={"name": "X", "unit_code": COMMUNE, "csrf_token": auth.csrf("/admin/kiosks")})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 0


def test_units_pages_show_the_officers_province(client, auth, officers):
    auth.login("tinh@example.vn")
    html = client.get(f"/admin/units/{PROVINCE}").get_data(as_text=True)
    assert "Tỉnh Tuyên Quang" in html and "Phường Minh Xuân" in html
    assert client.get("/admin/units/04").status_code == 404, "another province is outside the scope"


def test_audit_page_lists_changes_with_vietnamese_labels(client, auth, officers):
    auth.login("tinh@example.vn")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Tạo người dùng" in html
    assert "caobang@example.vn" not in html, "entries of another province stay hidden"


def test_every_page_renders_for_every_role(client, auth, officers):
    pages = ["/admin/", "/admin/kiosks", "/admin/units", "/admin/tokens", "/admin/users", "/admin/users/new",
             "/admin/audit", f"/admin/units/{COMMUNE}"]
    for email in ("root@example.vn", "tinh@example.vn", "xa@example.vn", "xem@example.vn"):
        auth.login(email)
        for page in pages:
            assert client.get(page).status_code in (200, 403), (email, page)
        auth.logout()
