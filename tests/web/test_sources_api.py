"""/api/v1/sources, notices from a source, and our feeds out (/api/v1/feed, /p/<unit>/alerts.xml)."""

from __future__ import annotations

import defusedxml.ElementTree as SafeET
import pytest
from sqlalchemy import select

from kiosk_server.domain import cap as cap_rules
from kiosk_server.domain import feeds
from kiosk_server.extensions import db
from kiosk_server.models import Source
from kiosk_server.services.screens import kiosks
from tests.cap_samples import cap_message
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, bearer, make_app
from tests.notice_helpers import publish
from tests.source_server import rss

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def app(tmp_path, upstream):
    app = make_app(tmp_path, SOURCE_ALLOW_HOSTS=upstream.host, SOURCE_READ_TIMEOUT=1, SOURCE_TOTAL_TIMEOUT=3)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def add_source(client, token, **body):
    return client.post("/api/v1/sources", json={"name": "Cổng TTĐT tỉnh", "kind": "feed", "unit_code": COMMUNE, **body},
                       headers=bearer(token))


def test_an_officer_adds_a_feed_polls_it_and_lists_what_it_brought(client, tokens, upstream):
    upstream.serve("/rss", rss(("g1", "Thông báo lịch tiêm chủng", "https://tuyenquang.gov.vn/a/1", "Tiêm tại trạm y tế.")))
    created = add_source(client, tokens["editor"], url=upstream.url("/rss"))
    assert created.status_code == 201, created.get_json()
    source_id = created.get_json()["id"]

    polled = client.post(f"/api/v1/sources/{source_id}/poll", headers=bearer(tokens["editor"]))
    assert polled.status_code == 200 and polled.get_json()["new"] == 1
    shown = client.get(f"/api/v1/sources/{source_id}", headers=bearer(tokens["viewer"])).get_json()
    assert shown["items_taken"] == 1 and shown["last_error"] is None and shown["last_polled_at"]

    listed = client.get(f"/api/v1/notices?source={source_id}", headers=bearer(tokens["viewer"])).get_json()
    assert [(n["title"], n["status"], n["source"]) for n in listed] == [
        ("Thông báo lịch tiêm chủng", "draft",
         {"id": source_id, "name": "Cổng TTĐT tỉnh", "link": "https://tuyenquang.gov.vn/a/1"})]
    publish(client, tokens)  # a notice of an officer's own
    assert len(client.get(f"/api/v1/notices?source={source_id}", headers=bearer(tokens["viewer"])).get_json()) == 1
    own = [n for n in client.get("/api/v1/notices", headers=bearer(tokens["viewer"])).get_json() if not n["source"]]
    assert len(own) == 1


@pytest.mark.parametrize("body, field", [
    ({"url": "ftp://tuyenquang.gov.vn/rss"}, "url"),
    ({"url": "https://tuyenquang.gov.vn/rss", "kind": "email"}, "kind"),
    ({"url": "https://tuyenquang.gov.vn/rss", "poll_seconds": 5}, "poll_seconds"),
    ({"url": "https://tuyenquang.gov.vn/rss", "bulletin_class": "urgent"}, "bulletin_class"),
    ({"url": "https://tuyenquang.gov.vn/rss", "targets": {"units": [OTHER_COMMUNE]}}, "targets"),
])
def test_a_bad_source_is_refused_naming_the_field_and_nothing_is_stored(client, tokens, body, field):
    answer = add_source(client, tokens["editor"], **body)
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["fields"]
    assert db.session.scalar(select(Source.id)) is None


def test_scope_and_role_bound_who_manages_sources(client, tokens, upstream):
    url = upstream.url("/rss")
    assert add_source(client, tokens["viewer"], url=url).status_code == 403
    assert add_source(client, tokens["editor"], url=url, unit_code=OTHER_COMMUNE).status_code == 403
    assert add_source(client, tokens["editor"], url=url, auto_publish=True).status_code == 403
    source_id = add_source(client, tokens["editor"], url=url).get_json()["id"]
    assert client.get(f"/api/v1/sources/{source_id}", headers=bearer(tokens["other_admin"])).status_code == 404
    assert client.post(f"/api/v1/sources/{source_id}/poll", headers=bearer(tokens["other_admin"])).status_code == 404


def test_a_refused_fetch_is_shown_on_the_source(client, tokens, upstream):
    source_id = add_source(client, tokens["editor"], url=f"http://localhost:{upstream.port}/rss").get_json()["id"]
    polled = client.post(f"/api/v1/sources/{source_id}/poll", headers=bearer(tokens["editor"]))
    assert polled.status_code == 200 and polled.get_json()["new"] == 0
    shown = client.get(f"/api/v1/sources/{source_id}", headers=bearer(tokens["editor"])).get_json()
    assert shown["last_error"].startswith("Địa chỉ trỏ vào mạng nội bộ, bị từ chối")


def test_the_json_feed_gives_published_notices_for_a_unit_and_above(client, tokens):
    commune = publish(client, tokens, title="Tin của phường")
    province = publish(client, tokens, author="province_admin", approver="national", unit_code=PROVINCE,
                       title="Tin của tỉnh", targets={"units": [PROVINCE]})
    publish(client, tokens, author="other_admin", approver="national", unit_code=OTHER_COMMUNE, title="Tin nơi khác",
            targets={"units": [OTHER_COMMUNE]})

    feed = client.get(f"/api/v1/feed?unit={COMMUNE}", headers=bearer(tokens["viewer"])).get_json()
    assert {i["title"] for i in feed["items"]} == {"Tin của phường", "Tin của tỉnh"}
    assert feed["unit"]["code"] == COMMUNE and feed["next_since"]
    again = client.get("/api/v1/feed", query_string={"unit": COMMUNE, "since": feed["next_since"]},
                       headers=bearer(tokens["viewer"])).get_json()
    assert again["items"] == []
    assert {commune["id"], province["id"]} == {i["id"] for i in feed["items"]}
    assert client.get("/api/v1/feed?unit=99999", headers=bearer(tokens["viewer"])).status_code == 404
    assert client.get(f"/api/v1/feed?unit={COMMUNE}").status_code == 401
    assert client.get(f"/api/v1/feed?unit={COMMUNE}&since=yesterday", headers=bearer(tokens["viewer"])).status_code == 422


def test_the_alerts_feed_links_each_active_alert_to_its_cap_document(client, tokens):
    raised = client.post("/api/v1/alerts", data=cap_message("TQ-FEED-1"), content_type="application/cap+xml",
                         headers=bearer(tokens["approver"]))
    assert raised.status_code == 201
    answer = client.get(f"/p/{COMMUNE}/alerts.xml")
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    feed = SafeET.fromstring(answer.data)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Cảnh báo lũ quét"
    link = entry.find(f"{ATOM}link").get("href")
    document = client.get(link.replace("http://localhost", ""))
    assert document.mimetype == cap_rules.CONTENT_TYPE and cap_rules.validate_document(document.data) == []
    assert cap_rules.parse(document.data).identifier == "TQ-FEED-1"
    # Our alerts feed is a CAP index another instance can add as a `cap` source.
    assert feeds.read(answer.data).entries[0].cap_link == link

    assert len(SafeET.fromstring(client.get(f"/p/{PROVINCE}/alerts.xml").data).findall(f"{ATOM}entry")) == 0
    client.post(f"/api/v1/alerts/{raised.get_json()['id']}/cancel", headers=bearer(tokens["approver"]))
    assert SafeET.fromstring(client.get(f"/p/{COMMUNE}/alerts.xml").data).findall(f"{ATOM}entry") == []
    assert client.get(link.replace("http://localhost", "")).status_code == 404
    assert client.get("/p/99999/alerts.xml").status_code == 404


def test_a_notice_from_a_source_names_it_on_screen(client, tokens, upstream, officers):
    upstream.serve("/rss", rss(("g1", "Lịch cắt điện", "https://tuyenquang.gov.vn/dien", "Cắt điện sáng thứ Bảy.")))
    source_id = add_source(client, tokens["editor"], url=upstream.url("/rss"), bulletin_class="priority").get_json()["id"]
    assert client.post(f"/api/v1/sources/{source_id}/trust", headers=bearer(tokens["approver"])).status_code == 200
    client.post(f"/api/v1/sources/{source_id}/poll", headers=bearer(tokens["editor"]))
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    manifest = client.get("/kiosk/manifest", headers=bearer(token)).get_json()
    [item] = manifest["items"]
    assert item["source"] == {"name": "Cổng TTĐT tỉnh"}
    assert item["qr_target"] == "https://tuyenquang.gov.vn/dien"


def test_the_openapi_document_describes_the_sources(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/sources", "/api/v1/sources/{source_id}", "/api/v1/sources/{source_id}/poll",
                 "/api/v1/sources/{source_id}/trust", "/api/v1/feed"):
        assert path in spec["paths"], path
    params = {p["name"] for p in spec["paths"]["/api/v1/notices"]["get"]["parameters"]}
    assert "source" in params
