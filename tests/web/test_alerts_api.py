"""Emergency alerts through the API: JSON and CAP, scope, screens reached, receipts, read-back as CAP."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from kiosk_server.domain import cap
from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert, AuditEntry, Kiosk
from kiosk_server.services.screens import kiosks
from tests.cap_samples import KHMER_INFO, VN, cap_message, stamp
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, bearer
from tests.web.test_api import assert_error

CAP = "application/cap+xml"


def alert_body(**changes) -> dict:
    body = {"headline": "Cảnh báo lũ quét", "description": "Mưa lớn kéo dài.", "instruction": "Lên vùng cao.",
            "hazard": "flash_flood", "level": 4, "unit_codes": [COMMUNE],
            "expires_at": stamp(datetime.now(VN) + timedelta(hours=3))}
    body.update(changes)
    return body


def count_alerts() -> int:
    return db.session.scalar(select(func.count()).select_from(Alert))


def screen(app, unit=COMMUNE, name="Một cửa"):
    kiosk, token = kiosks.provision_kiosk(name, unit, actor="test")
    client = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    client.get_received("/kiosk")
    return kiosk, token, client


def received(client, name):
    return [e["args"][0] for e in client.get_received("/kiosk") if e["name"] == name]


def test_json_alert_reaches_the_screens_of_its_area_first(app, client, tokens):
    _kiosk, token, near = screen(app)
    _, _, far = screen(app, unit=OTHER_COMMUNE, name="Cao Bằng")
    response = client.post("/api/v1/alerts", json=alert_body(), headers=bearer(tokens["approver"]))
    assert response.status_code == 201
    alert_id = response.get_json()["id"]
    events = near.get_received("/kiosk")
    assert [e["name"] for e in events] == ["alert", "manifest"], "the alert goes out before the manifest"
    payload = events[0]["args"][0]
    assert (payload["id"], payload["level"], payload["hazard_name"]) == (alert_id, 4, "Lũ quét")
    assert payload["level_name"] == "Cấp độ 4 – Rủi ro thiên tai rất lớn" and payload["color"] == "#c62828"
    assert received(far, "alert") == []
    manifest = client.get("/kiosk/manifest", headers=bearer(token)).get_json()
    assert [a["id"] for a in manifest["alerts"]] == [alert_id]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "alert.raise"))
    assert entry.actor == "duyet@example.vn" and entry.after["screens"] == 1


def test_province_alert_covers_every_commune_below(app, client, tokens):
    _, _, near = screen(app)
    _, _, other = screen(app, unit="02212", name="Nông Tiến")
    client.post("/api/v1/alerts", json=alert_body(unit_codes=[PROVINCE]), headers=bearer(tokens["province_admin"]))
    assert len(received(near, "alert")) == 1 and len(received(other, "alert")) == 1


def test_acks_are_recorded_and_returned(app, client, tokens):
    kiosk, _, near = screen(app)
    alert_id = client.post("/api/v1/alerts", json=alert_body(), headers=bearer(tokens["approver"])).get_json()["id"]
    near.emit("alert_ack", {"id": alert_id}, namespace="/kiosk")
    near.emit("alert_ack", {"id": alert_id}, namespace="/kiosk")  # a second ack changes nothing
    body = client.get(f"/api/v1/alerts/{alert_id}", headers=bearer(tokens["viewer"])).get_json()
    assert [a["kiosk_id"] for a in body["acks"]] == [kiosk.id]
    assert body["kiosk_count"] == 1 and body["active"] is True


def test_cancel_takes_it_off(app, client, tokens):
    _, token, near = screen(app)
    alert_id = client.post("/api/v1/alerts", json=alert_body(), headers=bearer(tokens["approver"])).get_json()["id"]
    near.get_received("/kiosk")
    response = client.post(f"/api/v1/alerts/{alert_id}/cancel", headers=bearer(tokens["approver"]))
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert received(near, "alert_cancel") == [{"id": alert_id}]
    assert client.get("/kiosk/manifest", headers=bearer(token)).get_json()["alerts"] == []
    assert_error(client.post(f"/api/v1/alerts/{alert_id}/cancel", headers=bearer(tokens["approver"])), 409)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"headline": ""}, "headline"),
        ({"hazard": "zombies"}, "hazard"),
        ({"level": 6}, "level"),
        ({"level": "4"}, "level"),
        ({"unit_codes": []}, "unit_codes"),
        ({"expires_at": stamp(datetime.now(VN) - timedelta(minutes=1))}, "expires_at"),
        ({"expires_at": None}, "expires_at"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_alerts_name_the_field_and_store_nothing(client, tokens, changes, field):
    error = assert_error(client.post("/api/v1/alerts", json=alert_body(**changes), headers=bearer(tokens["approver"])),
                         422)
    assert field in error["fields"]
    assert count_alerts() == 0


def test_scope_and_role_are_checked(client, tokens):
    assert_error(client.post("/api/v1/alerts", json=alert_body(unit_codes=[OTHER_COMMUNE]),
                             headers=bearer(tokens["approver"])), 403)
    assert_error(client.post("/api/v1/alerts", json=alert_body(), headers=bearer(tokens["editor"])), 403)
    assert_error(client.post("/api/v1/alerts", json=alert_body(unit_codes=["99999"]),
                             headers=bearer(tokens["national"])), 404)
    assert count_alerts() == 0


# --- CAP ----------------------------------------------------------------------------------------

def post_cap(client, token, text):
    return client.post("/api/v1/alerts", data=text.encode(), content_type=CAP, headers=bearer(token))


def test_cap_alert_is_shown_with_its_translation(app, client, tokens):
    _, _, near = screen(app)
    response = post_cap(client, tokens["approver"], cap_message(extra_info=KHMER_INFO))
    assert response.status_code == 201
    [payload] = received(near, "alert")
    assert payload["headline"] == "Cảnh báo lũ quét" and payload["level"] == 4
    assert payload["translations"][0]["language"] == "km"


def test_cap_update_replaces_and_cancel_removes(app, client, tokens):
    _, _, near = screen(app)
    first = post_cap(client, tokens["approver"], cap_message("TQ-1")).get_json()["id"]
    near.get_received("/kiosk")
    ref = f"canhbao@tuyenquang.gov.vn,TQ-1,{stamp(datetime.now(VN))}"
    update = post_cap(client, tokens["approver"], cap_message("TQ-2", msg_type="Update", references=ref,
                                                             headline="Lũ quét: nâng lên cấp 5", level="5"))
    assert update.status_code == 201
    second = update.get_json()["id"]
    events = near.get_received("/kiosk")
    assert ("alert_cancel", {"id": first}) in [(e["name"], e["args"][0]) for e in events]
    assert [e["args"][0]["level"] for e in events if e["name"] == "alert"] == [5]
    cancel = post_cap(client, tokens["approver"], cap_message("TQ-3", msg_type="Cancel",
                                                             references=f"canhbao@tuyenquang.gov.vn,TQ-2,{stamp(datetime.now(VN))}"))
    assert cancel.status_code == 200 and cancel.get_json() == {"id": second, "status": "cancelled"}
    assert received(near, "alert_cancel") == [{"id": second}]


def test_exercise_and_test_are_recorded_but_never_shown(app, client, tokens):
    _, token, near = screen(app)
    for status in ("Exercise", "Test"):
        response = post_cap(client, tokens["approver"], cap_message(f"EX-{status}", status=status))
        assert response.status_code == 201
    assert received(near, "alert") == []
    assert client.get("/kiosk/manifest", headers=bearer(token)).get_json()["alerts"] == []
    assert count_alerts() == 2


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (cap_message(units=("99999",)), "area"),
        # No geocode and an <areaDesc> naming no official unit.
        (cap_message(units=()).replace(">Phường Minh Xuân</areaDesc>", ">Vùng trũng ven sông</areaDesc>"), "area"),
        (cap_message(expires=datetime.now(VN) - timedelta(hours=1)), "expires"),
        (cap_message(namespace="urn:oasis:names:tc:emergency:cap:1.1"), "cap"),
        (cap_message(msg_type="Update"), "references"),
        (cap_message(status="Draft"), "status"),
        ("<alert><broken>", "cap"),
    ],
)
def test_bad_cap_is_refused_with_the_problem_named(client, tokens, text, field):
    response = post_cap(client, tokens["approver"], text)
    assert response.status_code in (404, 422)
    assert field in assert_error(response, response.status_code)["fields"]
    assert count_alerts() == 0


def test_an_area_may_name_its_units_by_their_official_names(client, tokens):
    # <areaDesc>Phường Minh Xuân</areaDesc> with no geocode: matched against the units table.
    response = post_cap(client, tokens["approver"], cap_message("BY-NAME", units=()))
    assert response.status_code == 201
    shown = client.get(f"/api/v1/alerts/{response.get_json()['id']}", headers=bearer(tokens["approver"])).get_json()
    assert shown["unit_codes"] == [COMMUNE]


def test_replayed_identifier_is_a_conflict(client, tokens):
    assert post_cap(client, tokens["approver"], cap_message("SAME")).status_code == 201
    assert_error(post_cap(client, tokens["approver"], cap_message("SAME")), 409, "duplicate_alert")
    assert count_alerts() == 1


def test_any_alert_reads_back_as_valid_cap(client, tokens):
    alert_id = client.post("/api/v1/alerts", json=alert_body(translations=[
        {"language": "km", "headline": "ការព្រមាន"}]), headers=bearer(tokens["approver"])).get_json()["id"]
    response = client.get(f"/api/v1/alerts/{alert_id}", headers={**bearer(tokens["viewer"]), "Accept": CAP})
    assert response.mimetype == CAP
    assert cap.validate_document(response.data) == []
    message = cap.parse(response.data)
    assert message.infos[0].headline == "Cảnh báo lũ quét" and message.infos[0].unit_codes == [COMMUNE]
    assert message.infos[1].language == "km"
    assert message.infos[0].parameters["risk_level"] == "4"


def test_alerts_leave_on_time(app, client, tokens):
    kiosk, _token, _ = screen(app)
    alert_id = client.post("/api/v1/alerts", json=alert_body(), headers=bearer(tokens["approver"])).get_json()["id"]
    from kiosk_server.services.alerts import alerts

    later = datetime.now(VN) + timedelta(hours=4)
    assert alerts.active_for_unit(db.session.get(Kiosk, kiosk.id).unit_code, later) == []
    assert [a["id"] for a in alerts.active_for_unit(db.session.get(Kiosk, kiosk.id).unit_code)] == [alert_id]


def test_batched_receipts_are_written_once(app, client, tokens):
    from kiosk_server.services.alerts import receipts

    kiosk, _, near = screen(app)
    alert_id = client.post("/api/v1/alerts", json=alert_body(), headers=bearer(tokens["approver"])).get_json()["id"]
    app.config["ACK_BATCH_SECONDS"] = 60  # as in production: queued, then written by the flusher
    receipts._flusher_started.add(id(app))  # this test flushes by hand instead of waiting
    app.config["ACK_CONFIRM_TIMEOUT_S"] = 0.05  # each emit waits for a confirmation that cannot come yet
    near.emit("alert_ack", {"id": alert_id}, namespace="/kiosk")
    near.emit("alert_ack", {"id": alert_id}, namespace="/kiosk")
    near.emit("alert_ack", {"id": 99999}, namespace="/kiosk")  # unknown alert: dropped
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=bearer(tokens["viewer"])).get_json()["acks"] == []
    assert receipts.flush() == 1
    acks = client.get(f"/api/v1/alerts/{alert_id}", headers=bearer(tokens["viewer"])).get_json()["acks"]
    assert [a["kiosk_id"] for a in acks] == [kiosk.id]


def test_acks_from_outside_the_area_do_not_count(app, client, tokens):
    _, _, far = screen(app, unit=OTHER_COMMUNE, name="Cao Bằng")
    alert_id = client.post("/api/v1/alerts", json=alert_body(), headers=bearer(tokens["approver"])).get_json()["id"]
    far.emit("alert_ack", {"id": alert_id}, namespace="/kiosk")
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=bearer(tokens["viewer"])).get_json()["acks"] == []


def test_a_province_alert_is_readable_by_the_communes_it_covers(client, tokens):
    alert_id = client.post("/api/v1/alerts", json=alert_body(unit_codes=[PROVINCE]),
                           headers=bearer(tokens["province_admin"])).get_json()["id"]
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=bearer(tokens["viewer"])).status_code == 200
    assert_error(client.post(f"/api/v1/alerts/{alert_id}/cancel", headers=bearer(tokens["approver"])), 403)


def test_an_alert_taking_effect_later_is_not_on_screens_yet(app, client, tokens):
    _, token, near = screen(app)
    later = datetime.now(VN) + timedelta(hours=1)
    response = client.post("/api/v1/alerts", json=alert_body(effective_at=stamp(later)), headers=bearer(tokens["approver"]))
    assert response.status_code == 201
    assert received(near, "alert") == []
    assert client.get("/kiosk/manifest", headers=bearer(token)).get_json()["alerts"] == []
    body = client.get(f"/api/v1/alerts/{response.get_json()['id']}", headers=bearer(tokens["viewer"])).get_json()
    assert body["active"] is False


def test_unknown_area_is_reported_with_the_other_mistakes(client, tokens):
    error = assert_error(client.post("/api/v1/alerts", json=alert_body(headline="", unit_codes=["99999"]),
                                     headers=bearer(tokens["national"])), 422)
    assert {"headline", "unit_codes"} <= set(error["fields"])
