"""The REST API: bearer tokens, the contract's error shape, scope checks and OpenAPI."""

import json

from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Kiosk, KioskGroup, User
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, bearer


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Check the contract's error shape and return its `error` object."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"], "every error says something an officer can read"
    if code:
        assert error["code"] == code
    return error


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- authentication --------------------------------------------------------------------------

def test_missing_token_is_401_in_the_contract_shape(client):
    response = client.get("/api/v1/units")
    error = assert_error(response, 401, "unauthorized")
    assert "Authorization: Bearer" in error["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_forged_token_is_401(client, tokens):
    assert_error(client.get("/api/v1/units", headers=bearer(tokens["viewer"] + "x")), 401)
    assert_error(client.get("/api/v1/units", headers=bearer("bt_forged")), 401)
    assert_error(client.get("/api/v1/units", headers={"Authorization": tokens["viewer"]}), 401)


def test_token_of_a_deactivated_officer_stops_working(client, officers, tokens):
    assert client.get("/api/v1/me", headers=bearer(tokens["viewer"])).status_code == 200
    officers["viewer"].active = False
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(tokens["viewer"])), 401)


# --- units ------------------------------------------------------------------------------------

def test_units_below_a_parent(client, tokens):
    response = client.get(f"/api/v1/units?parent={PROVINCE}", headers=bearer(tokens["viewer"]))
    assert response.status_code == 200
    units = response.get_json()
    assert len(units) == 124
    minh_xuan = next(u for u in units if u["code"] == COMMUNE)
    assert minh_xuan == {"code": COMMUNE, "name": "Phường Minh Xuân", "level": "commune", "parent_code": PROVINCE}


def test_unknown_parent_unit_is_404_naming_the_field(client, tokens):
    error = assert_error(client.get("/api/v1/units?parent=99", headers=bearer(tokens["viewer"])), 404, "unknown_unit")
    assert "parent" in error["fields"]
    assert "99" in error["message"]


def test_one_unit_by_code(client, tokens):
    response = client.get(f"/api/v1/units/{PROVINCE}", headers=bearer(tokens["viewer"]))
    assert response.get_json()["name"] == "Tỉnh Tuyên Quang"


def test_unknown_query_parameter_is_refused(client, tokens):
    error = assert_error(client.get("/api/v1/units?colour=red", headers=bearer(tokens["viewer"])), 422)
    assert error["fields"]["colour"] == "Trường này không được hỗ trợ."


# --- kiosk provisioning -----------------------------------------------------------------------

def test_editor_provisions_a_kiosk_and_reads_it(client, tokens):
    response = client.post("/api/v1/kiosks", json={"name": "Một cửa", "unit_code": COMMUNE, "groups": ["Trụ sở"]},
                           headers=bearer(tokens["editor"]))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "token"} and body["token"].startswith("kt_")
    state = client.get(f"/api/v1/kiosks/{body['id']}", headers=bearer(tokens["viewer"])).get_json()
    assert state["name"] == "Một cửa" and state["unit_code"] == COMMUNE
    assert state["online"] is False and state["last_seen"] is None
    assert {"manifest_version", "current_item"} <= set(state)
    assert "token" not in state
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "kiosk.provision")).actor == "bientap@example.vn"


def test_province_officer_provisions_in_a_commune_below(client, tokens):
    response = client.post("/api/v1/kiosks", json={"name": "Chợ", "unit_code": COMMUNE},
                           headers=bearer(tokens["province_admin"]))
    assert response.status_code == 201


def test_kiosk_outside_scope_is_403_and_stores_nothing(client, tokens):
    response = client.post("/api/v1/kiosks", json={"name": "Ngoài", "unit_code": OTHER_COMMUNE, "groups": ["G"]},
                           headers=bearer(tokens["editor"]))
    error = assert_error(response, 403, "out_of_scope")
    assert "unit_code" in error["fields"]
    assert count(Kiosk) == 0 and count(KioskGroup) == 0


def test_a_kiosk_of_another_province_reads_as_missing(client, tokens):
    created = client.post("/api/v1/kiosks", json={"name": "Cao Bằng", "unit_code": OTHER_COMMUNE},
                          headers=bearer(tokens["other_admin"])).get_json()
    assert_error(client.get(f"/api/v1/kiosks/{created['id']}", headers=bearer(tokens["editor"])), 404, "not_found")
    listed = client.get("/api/v1/kiosks", headers=bearer(tokens["editor"])).get_json()
    assert listed == []


def test_viewer_cannot_provision(client, tokens):
    assert_error(client.post("/api/v1/kiosks", json={"name": "X", "unit_code": COMMUNE},
                             headers=bearer(tokens["viewer"])), 403)
    assert count(Kiosk) == 0


def test_kiosk_with_unknown_unit_is_404(client, tokens):
    error = assert_error(client.post("/api/v1/kiosks", json={"name": "X", "unit_code": "00000"},
                                     headers=bearer(tokens["national"])), 404, "unknown_unit")
    assert error["fields"] == {"unit_code": "Mã đơn vị không tồn tại."}


def test_kiosk_validation_names_each_field(client, tokens):
    error = assert_error(client.post("/api/v1/kiosks", json={"groups": "not-a-list"},
                                     headers=bearer(tokens["editor"])), 422, "validation_error")
    assert error["fields"]["name"] == "Trường này là bắt buộc."
    assert error["fields"]["unit_code"] == "Trường này là bắt buộc."
    assert error["fields"]["groups"] == "Phải là một danh sách."


def test_blank_and_huge_names_are_refused(client, tokens):
    for name in ("   ", "x" * 101):
        error = assert_error(client.post("/api/v1/kiosks", json={"name": name, "unit_code": COMMUNE},
                                         headers=bearer(tokens["editor"])), 422)
        assert "name" in error["fields"]
    assert count(Kiosk) == 0


def test_revoked_kiosk_is_reported(client, tokens):
    created = client.post("/api/v1/kiosks", json={"name": "Cũ", "unit_code": COMMUNE},
                          headers=bearer(tokens["editor"])).get_json()
    response = client.post(f"/api/v1/kiosks/{created['id']}/revoke", headers=bearer(tokens["editor"]))
    assert response.status_code == 200 and response.get_json()["revoked"] is True


# --- malformed requests -----------------------------------------------------------------------

def test_malformed_json_is_400(client, tokens):
    response = client.post("/api/v1/kiosks", data='{"name": "X", ', content_type="application/json",
                           headers=bearer(tokens["editor"]))
    error = assert_error(response, 400)
    assert "JSON" in error["message"]
    assert count(Kiosk) == 0


def test_wrong_content_type_is_415(client, tokens):
    response = client.post("/api/v1/kiosks", data="name=X&unit_code=" + COMMUNE,
                           content_type="application/x-www-form-urlencoded", headers=bearer(tokens["editor"]))
    error = assert_error(response, 415, "unsupported_media_type")
    assert "application/json" in error["message"]


def test_oversized_body_is_413(client, tokens):
    body = json.dumps({"name": "x" * (2 * 1024 * 1024), "unit_code": COMMUNE})
    response = client.post("/api/v1/kiosks", data=body, content_type="application/json",
                           headers=bearer(tokens["editor"]))
    assert_error(response, 413, "too_large")
    assert count(Kiosk) == 0


def test_json_array_instead_of_object_is_refused(client, tokens):
    response = client.post("/api/v1/kiosks", json=["name"], headers=bearer(tokens["editor"]))
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code)


def test_unknown_api_path_and_method_answer_in_json(client, tokens):
    assert_error(client.get("/api/v1/nothing", headers=bearer(tokens["viewer"])), 404)
    assert_error(client.delete("/api/v1/units", headers=bearer(tokens["viewer"])), 405)


# --- users ------------------------------------------------------------------------------------

def test_admin_creates_officer_within_scope(client, tokens):
    response = client.post("/api/v1/users", json={"email": "Moi@Example.vn", "password": "mat-khau-dai-1",
                                                   "role": "editor", "unit_code": COMMUNE},
                           headers=bearer(tokens["province_admin"]))
    assert response.status_code == 201
    assert response.get_json()["email"] == "moi@example.vn"
    assert "password" not in response.get_json()


def test_admin_cannot_create_outside_scope_or_national(client, tokens):
    for unit in (OTHER_COMMUNE, None):
        response = client.post("/api/v1/users", json={"email": "x@example.vn", "password": "mat-khau-dai-1",
                                                       "role": "viewer", "unit_code": unit},
                               headers=bearer(tokens["commune_admin"]))
        assert_error(response, 403)
    assert db.session.scalar(select(User).where(User.email == "x@example.vn")) is None


def test_duplicate_email_is_409(client, tokens):
    response = client.post("/api/v1/users", json={"email": "XA@example.vn", "password": "mat-khau-dai-1",
                                                   "role": "viewer", "unit_code": COMMUNE},
                           headers=bearer(tokens["province_admin"]))
    error = assert_error(response, 409, "duplicate_email")
    assert error["fields"]["email"] == "Email này đã được dùng."


def test_unknown_role_is_422(client, tokens):
    response = client.post("/api/v1/users", json={"email": "r@example.vn", "password": "mat-khau-dai-1",
                                                   "role": "boss", "unit_code": COMMUNE},
                           headers=bearer(tokens["province_admin"]))
    assert "role" in assert_error(response, 422)["fields"]


def test_users_list_is_scoped(client, tokens):
    emails = {u["email"] for u in client.get("/api/v1/users", headers=bearer(tokens["province_admin"])).get_json()}
    assert "xa@example.vn" in emails and "tinh@example.vn" in emails
    assert "caobang@example.vn" not in emails and "root@example.vn" not in emails
    assert_error(client.get("/api/v1/users", headers=bearer(tokens["editor"])), 403)


def test_officer_of_another_province_is_not_found(client, officers, tokens):
    other = officers["other_admin"].id
    assert_error(client.get(f"/api/v1/users/{other}", headers=bearer(tokens["province_admin"])), 404)
    assert_error(client.patch(f"/api/v1/users/{other}", json={"active": False},
                              headers=bearer(tokens["province_admin"])), 404)


def test_admin_cannot_lock_themselves_out(client, officers, tokens):
    me = officers["province_admin"].id
    assert_error(client.patch(f"/api/v1/users/{me}", json={"active": False},
                              headers=bearer(tokens["province_admin"])), 422)


def test_patch_changes_role_and_is_audited(client, officers, tokens):
    target = officers["viewer"].id
    response = client.patch(f"/api/v1/users/{target}", json={"role": "editor"}, headers=bearer(tokens["commune_admin"]))
    assert response.status_code == 200 and response.get_json()["role"] == "editor"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.update"))
    assert entry.before["role"] == "viewer" and entry.after["role"] == "editor"


# --- OpenAPI ----------------------------------------------------------------------------------

def test_openapi_document_is_generated_from_the_code(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/api/v1/units", "/api/v1/kiosks", "/api/v1/kiosks/{kiosk_id}", "/api/v1/users"):
        assert path in spec["paths"], path
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    post = spec["paths"]["/api/v1/kiosks"]["post"]
    assert "201" in post["responses"]
