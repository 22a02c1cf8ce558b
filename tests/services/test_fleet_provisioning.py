"""Provisioning a fleet of screens at once: the CLI, the API and the service behind both."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from kiosk_server.domain import secrets as token_rules
from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Kiosk
from tests.conftest import COMMUNE, OTHER_COMMUNE, bearer


def count_kiosks() -> int:
    return db.session.scalar(select(func.count()).select_from(Kiosk))


def test_create_kiosks_writes_each_token_once_to_a_private_csv(app, runner, tmp_path):
    out = tmp_path / "screens.csv"
    result = runner.invoke(args=["kiosk", "create-kiosks", "--unit", COMMUNE, "--count", "250", "--group", "Chợ",
                                 "--csv", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == count_kiosks() == 250
    assert (out.stat().st_mode & 0o777) == 0o600, "the tokens file is readable by its owner only"
    assert rows[0]["name"] == "Màn hình 1" and rows[-1]["name"] == "Màn hình 250"
    assert {r["groups"] for r in rows} == {"Chợ"}
    kiosk = db.session.get(Kiosk, int(rows[7]["id"]))
    assert kiosk.token_hash == token_rules.token_hash(rows[7]["token"]), "each line's token opens its own screen"
    assert rows[7]["token"] not in kiosk.token_hash
    audited = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "kiosk.provision"))
    assert audited == 250


def test_a_screen_from_the_csv_connects_with_its_token(app, runner, tmp_path):
    out = tmp_path / "screens.csv"
    assert runner.invoke(args=["kiosk", "create-kiosks", "--unit", COMMUNE, "--count", "2", "--csv", str(out)]).exit_code == 0
    token = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))[1]["token"]
    response = app.test_client().get("/kiosk/manifest", headers=bearer(token))
    assert response.status_code == 200


def test_create_kiosks_never_overwrites_a_file_and_then_creates_nothing_more(app, runner, tmp_path):
    out = tmp_path / "screens.csv"
    out.write_text("đã có\n", encoding="utf-8")
    result = runner.invoke(args=["kiosk", "create-kiosks", "--unit", COMMUNE, "--count", "3", "--csv", str(out)])
    assert result.exit_code == 1
    assert out.read_text(encoding="utf-8") == "đã có\n"
    assert count_kiosks() == 0, "no screen is made whose token could not be written down"


def test_create_kiosks_in_an_unknown_unit_creates_nothing(app, runner, tmp_path):
    out = tmp_path / "screens.csv"
    result = runner.invoke(args=["kiosk", "create-kiosks", "--unit", "99999", "--count", "3", "--csv", str(out)])
    assert result.exit_code == 1
    assert "99999" in result.output
    assert count_kiosks() == 0
    assert not out.exists(), "no empty tokens file is left behind"


def test_bulk_api_creates_a_fleet_in_one_call(client, tokens):
    body = {"kiosks": [{"name": f"Màn hình {i}", "unit_code": COMMUNE, "groups": ["Nhà văn hóa"]} for i in range(700)]}
    response = client.post("/api/v1/kiosks/bulk", json=body, headers=bearer(tokens["commune_admin"]))
    assert response.status_code == 201
    made = response.get_json()["kiosks"]
    assert len(made) == count_kiosks() == 700
    assert {"id", "name", "unit_code", "token"} <= set(made[0])


def test_bulk_api_reports_every_bad_row_and_creates_none(client, tokens):
    body = {"kiosks": [{"name": "Một cửa", "unit_code": COMMUNE}, {"name": "", "unit_code": COMMUNE},
                       {"name": "Chợ", "unit_code": "99999"}]}
    response = client.post("/api/v1/kiosks/bulk", json=body, headers=bearer(tokens["commune_admin"]))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"rows.2", "rows.3"}
    assert count_kiosks() == 0


def test_bulk_api_refuses_a_screen_outside_the_callers_scope_and_creates_none(client, tokens):
    body = {"kiosks": [{"name": "Một cửa", "unit_code": COMMUNE}, {"name": "Cao Bằng", "unit_code": OTHER_COMMUNE}]}
    response = client.post("/api/v1/kiosks/bulk", json=body, headers=bearer(tokens["commune_admin"]))
    assert response.status_code == 403
    assert set(response.get_json()["error"]["fields"]) == {"rows.2"}
    assert count_kiosks() == 0


def test_bulk_api_refuses_an_editor_without_screen_rights(client, tokens):
    body = {"kiosks": [{"name": "Một cửa", "unit_code": COMMUNE}]}
    response = client.post("/api/v1/kiosks/bulk", json=body, headers=bearer(tokens["viewer"]))
    assert response.status_code == 403
    assert count_kiosks() == 0


def test_stdout_csv_when_no_file_is_given(app, runner):
    result = runner.invoke(args=["kiosk", "create-kiosks", "--unit", COMMUNE, "--count", "2", "--name", "Chợ Minh Xuân"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["name"] for r in rows] == ["Chợ Minh Xuân 1", "Chợ Minh Xuân 2"]
