"""Ending an alert (CAP Update or Cancel, the API's cancel, the officer UI's cancel) needs the scope of
raising it over the old alert's whole area and, for CAP, the same status; a refusal changes nothing,
reaches no screen and leaves an audit row of its own."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert, AuditEntry, Kiosk, PublishEvent
from kiosk_server.services.screens import kiosks
from tests.cap_samples import VN, cap_message, stamp
from tests.conftest import COMMUNE, PROVINCE, bearer
from tests.web.test_api import assert_error

CAP = "application/cap+xml"
NEIGHBOUR = "02212"  # another commune of the same province


def alert_body(unit_codes: list[str]) -> dict:
    return {"headline": "Bão số 3 đổ bộ", "hazard": "storm", "level": 4, "unit_codes": unit_codes,
            "expires_at": stamp(datetime.now(VN) + timedelta(hours=6))}


def screen(app, unit: str, name: str):
    _, token = kiosks.provision_kiosk(name, unit, actor="test")
    client = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    client.get_received("/kiosk")
    return client


def snapshot() -> tuple:
    """Return everything an ending could change: alerts, publish events, manifest versions."""
    db.session.expire_all()
    alerts = tuple(db.session.execute(
        select(Alert.id, Alert.identifier, Alert.cancelled_at, Alert.replaced_by_id).order_by(Alert.id)).all())
    versions = tuple(db.session.execute(select(Kiosk.id, Kiosk.manifest_version).order_by(Kiosk.id)).all())
    events = db.session.scalar(select(func.count()).select_from(PublishEvent))
    return alerts, versions, events


def refusals(alert_id: int) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "alert.end_refused",
                                                       AuditEntry.object_id == str(alert_id))).all()


@pytest.fixture
def province_alert(app, client, tokens):
    """A province-wide alert raised by the province, and two connected screens of the province."""
    screens = [screen(app, COMMUNE, "Một cửa Minh Xuân"), screen(app, NEIGHBOUR, "Nhà văn hóa Nông Tiến")]
    response = client.post("/api/v1/alerts", json=alert_body([PROVINCE]), headers=bearer(tokens["province_admin"]))
    assert response.status_code == 201
    for s in screens:
        s.get_received("/kiosk")
    return db.session.get(Alert, response.get_json()["id"]), screens


def assert_nothing_reached(screens) -> None:
    for s in screens:
        names = [e["name"] for e in s.get_received("/kiosk")]
        assert not {"alert", "alert_cancel", "manifest"} & set(names), names


def reference(alert: Alert) -> str:
    return f"{alert.sender},{alert.identifier},{stamp(alert.sent_at)}"


@pytest.mark.parametrize("msg_type", ["Update", "Cancel"])
def test_commune_cap_message_cannot_end_a_province_alert(app, client, tokens, province_alert, msg_type):
    alert, screens = province_alert
    before = snapshot()
    text = cap_message("XA-1", msg_type=msg_type, units=(COMMUNE,), references=reference(alert))
    response = client.post("/api/v1/alerts", data=text.encode(), content_type=CAP, headers=bearer(tokens["approver"]))
    error = assert_error(response, 403, "out_of_scope")
    assert PROVINCE in error["message"]
    assert snapshot() == before
    assert_nothing_reached(screens)
    [entry] = refusals(alert.id)
    assert entry.actor == "duyet@example.vn" and entry.after["reason"] == "out_of_scope"


def test_commune_approver_cannot_cancel_a_province_alert_through_the_api(app, client, tokens, province_alert):
    alert, screens = province_alert
    before = snapshot()
    assert_error(client.post(f"/api/v1/alerts/{alert.id}/cancel", headers=bearer(tokens["approver"])),
                 403, "out_of_scope")
    assert snapshot() == before
    assert_nothing_reached(screens)
    assert len(refusals(alert.id)) == 1


def test_commune_approver_cannot_cancel_a_province_alert_in_the_ui(app, client, auth, province_alert):
    alert, screens = province_alert
    auth.login("duyet@example.vn")
    page = client.get(f"/admin/alerts/{alert.id}")
    assert page.status_code == 200
    before = snapshot()
    response = client.post(f"/admin/alerts/{alert.id}/cancel", data={"csrf_token": auth.csrf(f"/admin/alerts/{alert.id}")},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "ngoài phạm vi của bạn" in response.get_data(as_text=True)
    assert snapshot() == before
    assert_nothing_reached(screens)
    assert len(refusals(alert.id)) == 1


@pytest.mark.parametrize(("msg_type", "status"), [("Update", "Test"), ("Cancel", "Exercise"), ("Update", "Exercise")])
def test_test_or_exercise_message_cannot_end_an_actual_alert(app, client, tokens, province_alert, msg_type, status):
    alert, screens = province_alert
    before = snapshot()
    text = cap_message("DIENTAP-1", msg_type=msg_type, status=status, units=(PROVINCE,), references=reference(alert))
    response = client.post("/api/v1/alerts", data=text.encode(), content_type=CAP,
                           headers=bearer(tokens["province_admin"]))
    assert "status" in assert_error(response, 422, "status_mismatch")["fields"]
    assert snapshot() == before
    assert_nothing_reached(screens)
    assert refusals(alert.id)[0].after["status"] == status


def test_same_status_in_scope_update_still_replaces(app, client, tokens, province_alert):
    alert, screens = province_alert
    text = cap_message("TINH-2", msg_type="Update", units=(PROVINCE,), references=reference(alert))
    response = client.post("/api/v1/alerts", data=text.encode(), content_type=CAP,
                           headers=bearer(tokens["province_admin"]))
    assert response.status_code == 201
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).replaced_by_id == response.get_json()["id"]
    assert {"id": alert.id} in [e["args"][0] for e in screens[1].get_received("/kiosk") if e["name"] == "alert_cancel"]
    assert refusals(alert.id) == []
