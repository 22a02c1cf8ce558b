"""The one publish path and the kiosk manifest: exactly the touched screens change, with rules inside."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Kiosk, PublishEvent
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import notices
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, PROVINCE, bearer
from tests.notice_helpers import publish, vn_day_ahead

pytestmark = pytest.mark.vn_days  # at every edge of a Viet Nam day (tests/clock.py)

NEIGHBOUR = "02212"  # Phường Nông Tiến, same province


def _screens():
    a1, t1 = kiosks.provision_kiosk("Một cửa", COMMUNE, ["Trụ sở"], actor="test")
    a2, t2 = kiosks.provision_kiosk("Chợ", COMMUNE, ["Chợ"], actor="test")
    b1, t3 = kiosks.provision_kiosk("Nông Tiến", NEIGHBOUR, ["Trụ sở"], actor="test")
    return {"a1": (a1.id, t1), "a2": (a2.id, t2), "b1": (b1.id, t3)}


def _versions(screens) -> dict:
    db.session.expire_all()
    return {k: db.session.get(Kiosk, kid).manifest_version for k, (kid, _) in screens.items()}


def _manifest(client, token):
    response = client.get("/kiosk/manifest", headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_commune_notice_touches_only_that_communes_screens(client, tokens):
    screens = _screens()
    before = _versions(screens)
    publish(client, tokens)
    after = _versions(screens)
    assert after["a1"] > before["a1"] and after["a2"] > before["a2"]
    assert after["b1"] == before["b1"]
    event = db.session.scalar(select(PublishEvent).order_by(PublishEvent.id.desc()))
    assert (event.reason, event.kiosk_count, after["a1"]) == ("notice.approve", 2, event.id)


def test_province_notice_reaches_every_commune_below(client, tokens):
    screens = _screens()
    before = _versions(screens)
    publish(client, tokens, author="province_admin", approver="national", unit_code=PROVINCE)
    after = _versions(screens)
    assert all(after[k] > before[k] for k in screens)
    titles = [i["title"] for i in _manifest(client, screens["b1"][1]).get_json()["items"]]
    assert titles == ["Lịch tiếp công dân tháng 12"]


def test_group_target_reaches_its_members_only(client, tokens):
    screens = _screens()
    group_id = db.session.get(Kiosk, screens["a1"][0]).groups[0].id
    before = _versions(screens)
    publish(client, tokens, targets={"groups": [group_id]})
    after = _versions(screens)
    assert after["a1"] > before["a1"]
    assert after["a2"] == before["a2"] and after["b1"] == before["b1"]


def test_manifest_carries_items_with_rules_and_an_etag(client, tokens):
    screens = _screens()
    ends = vn_day_ahead(40)
    publish(client, tokens, days=[1, 2, 3, 4, 5], hours=[["07:00", "11:30"], "13:30-17:00"],
            ends_at=f"{ends:%Y-%m-%d}T17:00", priority="priority", qr_url="https://dichvucong.gov.vn")
    response = _manifest(client, screens["a1"][1])
    manifest = response.get_json()
    assert response.headers["ETag"] == f'"m{screens["a1"][0]}-{manifest["version"]}"'
    assert manifest["kiosk"]["unit"] == {"code": COMMUNE, "name": "Phường Minh Xuân"}
    [item] = manifest["items"]
    assert item["rules"] == {"starts_at": None, "ends_at": f"{ends:%Y-%m-%d}T17:00:00+07:00", "days": [1, 2, 3, 4, 5],
                             "hours": [["07:00", "11:30"], ["13:30", "17:00"]]}
    assert (item["priority"], item["qr_url"]) == ("priority", "https://dichvucong.gov.vn")
    assert 8 <= item["duration_s"] <= 90, "a default display time from the reading time"

    again = client.get("/kiosk/manifest", headers={**bearer(screens["a1"][1]), "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_published_version_keeps_playing_while_an_edit_waits(client, tokens):
    screens = _screens()
    approved = publish(client, tokens)
    client.patch(f"/api/v1/notices/{approved['id']}", json={"title": "Bản sửa chưa duyệt"},
                 headers={**bearer(tokens["editor"]), "If-Match": "1"})
    assert [i["title"] for i in _manifest(client, screens["a1"][1]).get_json()["items"]] == ["Lịch tiếp công dân tháng 12"]
    client.post(f"/api/v1/notices/{approved['id']}/submit", headers=bearer(tokens["editor"]))
    client.post(f"/api/v1/notices/{approved['id']}/approve", headers=bearer(tokens["approver"]))
    assert [i["title"] for i in _manifest(client, screens["a1"][1]).get_json()["items"]] == ["Bản sửa chưa duyệt"]


def test_withdrawal_empties_the_manifest(client, tokens):
    screens = _screens()
    approved = publish(client, tokens)
    client.post(f"/api/v1/notices/{approved['id']}/withdraw", headers=bearer(tokens["approver"]))
    assert _manifest(client, screens["a1"][1]).get_json()["items"] == []


def test_expiry_updates_the_screens(client, tokens, app):
    screens = _screens()
    ends = utcnow() + timedelta(minutes=5)
    approved = publish(client, tokens, ends_at=ends.isoformat())
    version = _versions(screens)["a1"]
    assert notices.expire_due(now=ends - timedelta(seconds=1)) == []
    assert notices.expire_due(now=ends) == [approved["id"]]
    assert _versions(screens)["a1"] > version
    assert client.get(f"/api/v1/notices/{approved['id']}", headers=bearer(tokens["editor"])).get_json()["status"] == "expired"
    assert notices.expire_due(now=ends + timedelta(hours=1)) == [], "a notice expires once"


def test_manifest_needs_a_kiosk_token(client, tokens, officers):
    screens = _screens()
    assert client.get("/kiosk/manifest").status_code == 401
    assert client.get("/kiosk/manifest", headers=bearer(tokens["editor"])).status_code == 401, "an officer is no kiosk"
    kiosks.revoke_kiosk(db.session.get(Kiosk, screens["a1"][0]), officers["commune_admin"])
    assert client.get("/kiosk/manifest", headers=bearer(screens["a1"][1])).status_code == 401
    assert client.get("/kiosk/manifest", headers=bearer(screens["a2"][1])).status_code == 200


def test_screens_sharing_a_publish_each_get_their_own_identity_around_the_same_content(client, tokens):
    """After one publish the screens of a commune fetch together: the content is built once, each is its own."""
    from kiosk_server.services.read_models import manifest

    screens = _screens()
    publish(client, tokens, qr_url="https://dichvucong.gov.vn")
    one = _manifest(client, screens["a1"][1]).get_json()
    two = _manifest(client, screens["a2"][1]).get_json()
    assert one["version"] == two["version"], "one publish event, one version"
    assert (one["kiosk"]["id"], one["kiosk"]["name"]) == (screens["a1"][0], "Một cửa")
    assert (two["kiosk"]["id"], two["kiosk"]["name"]) == (screens["a2"][0], "Chợ")
    assert one["kiosk"]["units"] == two["kiosk"]["units"] and one["kiosk"]["unit"]["name"] == "Phường Minh Xuân"
    assert one["items"] == two["items"] and [i["title"] for i in one["items"]] == ["Lịch tiếp công dân tháng 12"]
    built = manifest.build_manifest(db.session.get(Kiosk, screens["a2"][0]))
    assert {k: v for k, v in two.items() if k != "generated_at"} == \
        {k: v for k, v in built.items() if k != "generated_at"}, "the spliced body says what a full build says"
    other = _manifest(client, screens["b1"][1]).get_json()
    assert other["kiosk"]["unit"]["code"] == NEIGHBOUR and other["items"] == [], "another commune, its own content"


def test_a_change_reaching_more_screens_than_served_in_a_second_asks_them_to_spread_their_fetches(app, client, tokens):
    """Screens × rate: 3 screens at 1 manifest per second spread over 3 s; a small change is fetched at once."""
    from kiosk_server.extensions import socketio

    _screens()
    watcher = socketio.test_client(app, namespace="/kiosk", auth={"token": _screens_token(COMMUNE)})
    watcher.get_received("/kiosk")

    app.config["MANIFEST_FETCH_RATE"] = 100
    publish(client, tokens, title="Lịch tiếp công dân tháng 12")
    [small] = [e["args"][0] for e in watcher.get_received("/kiosk") if e["name"] == "manifest"]
    assert "spread_s" not in small, "three screens fetch at once"

    app.config["MANIFEST_FETCH_RATE"] = 1
    publish(client, tokens, title="Lịch tiêm chủng tháng 12")
    [spread] = [e["args"][0] for e in watcher.get_received("/kiosk") if e["name"] == "manifest"]
    event = db.session.scalar(select(PublishEvent).order_by(PublishEvent.id.desc()))
    assert spread == {"version": event.id, "spread_s": float(event.kiosk_count)} and event.kiosk_count == 3


def _screens_token(unit_code: str) -> str:
    _, token = kiosks.provision_kiosk("Nhà văn hóa", unit_code, actor="test")
    return token
