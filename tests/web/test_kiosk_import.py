"""Officers provision many screens from a CSV file in the UI: all or none, tokens shown once."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from kiosk_server.domain import secrets as token_rules
from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Kiosk
from tests.conftest import COMMUNE, OTHER_COMMUNE, bearer

URL = "/admin/kiosks/import"


def count_kiosks() -> int:
    return db.session.scalar(select(func.count()).select_from(Kiosk))


def upload(client, auth, text: str, answer: str = "page"):
    token = auth.csrf(URL)
    data = {"csrf_token": token, "answer": answer, "file": (io.BytesIO(text.encode("utf-8")), "man-hinh.csv")}
    return client.post(URL, data=data, content_type="multipart/form-data")


def test_an_editor_imports_screens_and_sees_each_token_once(client, auth, officers):
    auth.login("bientap@example.vn")
    text = f"\ufeffTên màn hình;Mã đơn vị;Nhóm\nMột cửa;{COMMUNE};Trụ sở\nChợ Minh Xuân;{COMMUNE};Chợ|Ngoài trời\n"
    response = upload(client, auth, text)
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert count_kiosks() == 2
    kiosk = db.session.scalar(select(Kiosk).where(Kiosk.name == "Chợ Minh Xuân"))
    assert sorted(g.name for g in kiosk.groups) == ["Chợ", "Ngoài trời"]
    tokens = [t for t in page.split("#token=")[1:]]
    shown = {t.split("<", 1)[0] for t in tokens}
    assert any(token_rules.token_hash(t) == kiosk.token_hash for t in shown), "the page shows the screen's token"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "kiosk.provision")) == 2
    assert "Đã tạo 2 màn hình" in page


def test_the_tokens_can_be_taken_as_a_file_instead(client, auth, officers, app):
    auth.login("bientap@example.vn")
    response = upload(client, auth, f"name,unit_code\nMột cửa,{COMMUNE}\n", answer="file")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["name"] for r in rows] == ["Một cửa"]
    manifest = app.test_client().get("/kiosk/manifest", headers=bearer(rows[0]["token"]))
    assert manifest.status_code == 200, "the token in the file opens the screen's manifest"


def test_a_file_with_bad_rows_names_each_and_creates_nothing(client, auth, officers):
    auth.login("bientap@example.vn")
    response = upload(client, auth, f"name,unit_code\nMột cửa,{COMMUNE}\n,{COMMUNE}\nChợ,99999\n")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chưa tạo màn hình nào" in page
    assert "Dòng 2:" in page and "Dòng 3:" in page and "Dòng 1:" not in page
    assert count_kiosks() == 0


def test_a_screen_outside_the_officers_scope_is_refused_and_nothing_is_created(client, auth, officers):
    auth.login("bientap@example.vn")
    response = upload(client, auth, f"name,unit_code\nMột cửa,{COMMUNE}\nCao Bằng,{OTHER_COMMUNE}\n")
    assert response.status_code == 422
    assert "Dòng 2:" in response.get_data(as_text=True)
    assert count_kiosks() == 0


def test_a_file_without_the_columns_gets_a_plain_answer(client, auth, officers):
    auth.login("bientap@example.vn")
    response = upload(client, auth, "ten,nhom\nMột cửa,Trụ sở\n")
    assert response.status_code == 422
    assert "unit_code" in response.get_data(as_text=True)
    assert count_kiosks() == 0


def test_a_file_not_in_utf8_is_refused_with_how_to_save_it(client, auth, officers):
    auth.login("bientap@example.vn")
    token = auth.csrf(URL)
    data = {"csrf_token": token, "answer": "page",
            "file": (io.BytesIO("name,unit_code\nMột cửa,02215\n".encode("utf-16")), "x.csv")}
    response = client.post(URL, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "UTF-8" in response.get_data(as_text=True)
    assert count_kiosks() == 0


def test_a_viewer_cannot_import(client, auth, officers):
    auth.login("xem@example.vn")
    assert client.get(URL).status_code == 403
    assert count_kiosks() == 0


def test_the_sample_file_has_the_officers_unit(client, auth, officers):
    auth.login("bientap@example.vn")
    response = client.get(URL + "/sample.csv")
    assert response.status_code == 200
    assert COMMUNE in response.get_data(as_text=True)
