"""Pairing a screen: it shows a code, an officer types it, the screen's own token starts working."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, PairingRequest
from kiosk_server.models.base import utcnow
from tests.conftest import COMMUNE, OTHER_COMMUNE, bearer
from tests.web.test_api import assert_error


def start(client) -> dict:
    response = client.post("/kiosk/pairing")
    assert response.status_code == 201
    return response.get_json()


def test_screen_gets_a_readable_code_and_waits(client):
    pending = start(client)
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", pending["code"])
    assert not set(pending["code"]) & set("0O1IL2Z5S8B"), "no characters that read alike"
    assert pending["token"].startswith("kt_")
    assert pending["pair_url"].endswith(f"/admin/kiosks/pair?code={pending['code']}")
    status = client.get("/kiosk/pairing/status", headers=bearer(pending["token"]))
    assert status.get_json() == {"paired": False}
    assert client.get("/kiosk/manifest", headers=bearer(pending["token"])).status_code == 401


def test_officer_pairs_by_code_and_the_screen_plays(client, tokens):
    pending = start(client)
    response = client.post("/api/v1/kiosks/pair", json={"code": pending["code"].lower().replace("-", " "),
                                                        "name": "Nhà văn hóa", "unit_code": COMMUNE,
                                                        "groups": ["Văn hóa"]},
                           headers=bearer(tokens["editor"]))
    assert response.status_code == 201
    kiosk = db.session.get(Kiosk, response.get_json()["id"])
    assert (kiosk.name, kiosk.unit_code, [g.name for g in kiosk.groups]) == ("Nhà văn hóa", COMMUNE, ["Văn hóa"])
    assert client.get("/kiosk/pairing/status", headers=bearer(pending["token"])).get_json() == {"paired": True}
    manifest = client.get("/kiosk/manifest", headers=bearer(pending["token"]))
    assert manifest.status_code == 200 and manifest.get_json()["kiosk"]["name"] == "Nhà văn hóa"
    again = client.post("/api/v1/kiosks/pair", json={"code": pending["code"], "name": "X", "unit_code": COMMUNE},
                        headers=bearer(tokens["editor"]))
    assert_error(again, 404, "unknown_pairing_code"), "a code pairs once"


def test_wrong_or_expired_code_is_refused_clearly(client, tokens):
    error = assert_error(client.post("/api/v1/kiosks/pair", json={"code": "AAA-AAA", "name": "X", "unit_code": COMMUNE},
                                     headers=bearer(tokens["editor"])), 404, "unknown_pairing_code")
    assert error["fields"] == {"code": "Mã không đúng hoặc đã hết hạn."}
    pending = start(client)
    db.session.execute(PairingRequest.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert_error(client.post("/api/v1/kiosks/pair", json={"code": pending["code"], "name": "X", "unit_code": COMMUNE},
                             headers=bearer(tokens["editor"])), 404)
    assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 0


def test_pairing_outside_scope_or_as_viewer_is_refused(client, tokens):
    pending = start(client)
    body = {"code": pending["code"], "name": "X", "unit_code": OTHER_COMMUNE}
    assert_error(client.post("/api/v1/kiosks/pair", json=body, headers=bearer(tokens["editor"])), 403)
    body["unit_code"] = COMMUNE
    assert_error(client.post("/api/v1/kiosks/pair", json=body, headers=bearer(tokens["viewer"])), 403)
    assert client.get("/kiosk/pairing/status", headers=bearer(pending["token"])).get_json() == {"paired": False}


def test_unknown_pairing_token_is_401(client):
    assert_error(client.get("/kiosk/pairing/status", headers=bearer("kt_nope")), 401)


def test_officer_pairs_in_the_ui(client, auth, officers):
    pending = start(client)
    auth.login("bientap@example.vn")
    page = client.get(f"/admin/kiosks/pair?code={pending['code']}")
    assert pending["code"] in page.get_data(as_text=True)
    response = client.post("/admin/kiosks/pair", data={"code": pending["code"], "name": "Chợ", "unit_code": COMMUNE,
                                                       "groups": "", "csrf_token": auth.csrf("/admin/kiosks/pair")})
    assert response.status_code == 302
    assert client.get("/kiosk/pairing/status", headers=bearer(pending["token"])).get_json() == {"paired": True}


def test_editing_a_screen_bumps_its_manifest(client, auth, officers):
    pending = start(client)
    client.post("/api/v1/kiosks/pair")  # no token: 401, nothing happens
    from kiosk_server.services.screens import pairing

    kiosk = pairing.pair(pending["code"], "Chợ", COMMUNE, [], officers["editor"])
    version = kiosk.manifest_version
    auth.login("bientap@example.vn")
    response = client.post(f"/admin/kiosks/{kiosk.id}/edit", data={
        "name": "Chợ trung tâm", "unit_code": COMMUNE, "groups": "Chợ", "theme": "high-contrast",
        "csrf_token": auth.csrf(f"/admin/kiosks/{kiosk.id}/edit")})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.refresh(kiosk)
    assert (kiosk.name, kiosk.theme, [g.name for g in kiosk.groups]) == ("Chợ trung tâm", "high-contrast", ["Chợ"])
    assert kiosk.manifest_version > version
    manifest = client.get("/kiosk/manifest", headers=bearer(pending["token"])).get_json()
    assert manifest["kiosk"]["theme"] == "high-contrast"


def test_api_changes_a_screens_theme(client, tokens):
    created = client.post("/api/v1/kiosks", json={"name": "Chợ", "unit_code": COMMUNE},
                          headers=bearer(tokens["editor"])).get_json()
    response = client.patch(f"/api/v1/kiosks/{created['id']}", json={"theme": "portrait"},
                            headers=bearer(tokens["editor"]))
    assert response.status_code == 200 and response.get_json()["theme"] == "portrait"
    error = assert_error(client.patch(f"/api/v1/kiosks/{created['id']}", json={"theme": "neon"},
                                      headers=bearer(tokens["editor"])), 422)
    assert "theme" in error["fields"]
    assert client.get("/kiosk/manifest", headers=bearer(created["token"])).get_json()["kiosk"]["theme"] == "portrait"
