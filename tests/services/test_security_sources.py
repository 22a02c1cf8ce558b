"""Issue 20, items 1, 2, 8 and 9: what an upstream source may not do that an officer's own request may not.

An approver who created a source, or last set its address, unit, targets or class, is an author of
everything it brings: they can neither approve its bulletins nor be the trust that publishes them.
A change of address, unit, targets or class drops the trust. Ingestion is bounded, and the address
checks hold at the edges. Each refusal changes nothing and reaches no screen.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import AuditEntry, Notice, Source
from kiosk_server.services.core.tokens import create_token
from kiosk_server.services.core.users import create_user
from kiosk_server.services.screens import kiosks
from kiosk_server.services.sources import sources
from tests.conftest import COMMUNE, PROVINCE, bearer
from tests.services import test_sources as base
from tests.services.test_security_approve_scope import no_manifest, snapshot
from tests.source_server import rss
from tests.web.test_api import assert_error

app, upstream = base.app, base.upstream  # the same loopback server and app as the sources' own tests
ARTICLES, feed_source = base.ARTICLES, base.feed_source


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- item 9: the source's health never maps a name to an internal address -------------------------

def test_last_error_names_the_host_not_the_internal_address_it_resolved_to(app, officers, upstream):
    upstream.serve("/rss", rss(*ARTICLES))
    source = feed_source(officers["editor"], f"http://localhost:{upstream.port}/rss")
    assert sources.poll_now(source, officers["editor"]) == 0
    error = sources.source_json(db.session.get(Source, source.id))["last_error"]
    assert "localhost" in error and "mạng nội bộ" in error
    assert "127.0.0.1" not in error and "::1" not in error
    assert upstream.requests == []


# --- items 1 and 2: the two-person rule holds through a source ------------------------------------

@pytest.fixture
def people(officers, tokens):
    """The conftest officers, a province approver beside the commune's, and a bearer token for each."""
    province_approver = create_user("duyet.tinh@example.vn", "password-123", "approver", PROVINCE, actor="test")
    officers["province_approver"] = province_approver
    return officers, {**tokens, "province_approver": create_token(province_approver, "test")[1]}


@pytest.fixture
def screen(app):
    _, token = kiosks.provision_kiosk("Nhà văn hóa tổ 3", COMMUNE, actor="test")
    client = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    client.get_received("/kiosk")
    return client


PRIORITY = ("tq-9", "Lịch cắt điện", "https://tuyenquang.gov.vn/tin/9", "Cắt điện sáng thứ Bảy.")


def add(client, token, url, **extra) -> dict:
    response = client.post("/api/v1/sources", headers=bearer(token), json={
        "name": "Cổng TTĐT tỉnh", "kind": "feed", "url": url, "unit_code": COMMUNE, "bulletin_class": "priority",
        **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def polled_notice(source_id: int, officer) -> int:
    assert sources.poll_now(db.session.get(Source, source_id), officer) == 1
    return db.session.scalar(select(Notice.id).order_by(Notice.id.desc()))


def test_the_approver_who_created_a_source_cannot_approve_its_bulletin(client, people, upstream, screen):
    officers, tokens = people
    upstream.serve("/rss", rss(PRIORITY))
    source = add(client, tokens["approver"], upstream.url("/rss"))
    notice_id = polled_notice(source["id"], officers["approver"])
    before = snapshot()
    error = assert_error(client.post(f"/api/v1/notices/{notice_id}/approve", headers=bearer(tokens["approver"])),
                         403, "self_approval")
    assert "người soạn" in error["message"]
    assert snapshot() == before
    assert no_manifest(screen)


@pytest.mark.parametrize("field", ["url", "targets", "bulletin_class"])
def test_an_approver_who_set_the_sources_address_targets_or_class_cannot_approve_its_bulletin(
        client, people, upstream, screen, field):
    officers, tokens = people
    upstream.serve("/rss", rss(PRIORITY))
    upstream.serve("/other", rss(PRIORITY))
    source = add(client, tokens["editor"], upstream.url("/rss"), bulletin_class="emergency")
    change = {"url": upstream.url("/other"), "targets": {"units": [COMMUNE]}, "bulletin_class": "priority"}[field]
    assert client.patch(f"/api/v1/sources/{source['id']}", json={field: change},
                        headers=bearer(tokens["approver"])).status_code == 200
    notice_id = polled_notice(source["id"], officers["editor"])
    before = snapshot()
    assert_error(client.post(f"/api/v1/notices/{notice_id}/approve", headers=bearer(tokens["approver"])),
                 403, "self_approval")
    assert snapshot() == before
    assert no_manifest(screen)


def test_an_approver_who_only_renamed_a_source_may_approve_its_bulletin(client, people, upstream, screen):
    officers, tokens = people
    upstream.serve("/rss", rss(PRIORITY))
    source = add(client, tokens["editor"], upstream.url("/rss"))
    # The officer UI posts every field: values that did not change make nobody an author.
    body = {"name": "Cổng thông tin tỉnh", "url": source["url"], "unit_code": COMMUNE, "bulletin_class": "priority",
            "poll_seconds": 600}
    assert client.patch(f"/api/v1/sources/{source['id']}", json=body,
                        headers=bearer(tokens["approver"])).status_code == 200
    notice_id = polled_notice(source["id"], officers["editor"])
    response = client.post(f"/api/v1/notices/{notice_id}/approve", headers=bearer(tokens["approver"]))
    assert response.status_code == 200 and response.get_json()["status"] == "published"


def test_the_approver_who_created_a_source_cannot_be_its_trust(client, people, upstream, screen):
    officers, tokens = people
    upstream.serve("/rss", rss(PRIORITY))
    source = add(client, tokens["approver"], upstream.url("/rss"), auto_publish=True)
    assert source["auto_publish"] is True and source["trusted_by"] is None, "it waits for a second approver"
    before = snapshot(), sources_state()
    assert_error(client.post(f"/api/v1/sources/{source['id']}/trust", headers=bearer(tokens["approver"])),
                 403, "self_approval")
    assert (snapshot(), sources_state()) == before
    notice_id = polled_notice(source["id"], officers["approver"])
    notice = db.session.get(Notice, notice_id)
    assert (notice.status, notice.approved_by_id) == ("submitted", None), "nothing published on its own"
    assert no_manifest(screen)


def test_a_second_approver_trusts_the_source_and_stands_as_its_approver(client, people, upstream, screen):
    officers, tokens = people
    upstream.serve("/rss", rss(PRIORITY))
    source = add(client, tokens["approver"], upstream.url("/rss"), auto_publish=True)
    trusted = client.post(f"/api/v1/sources/{source['id']}/trust", headers=bearer(tokens["province_approver"]))
    assert trusted.status_code == 200 and trusted.get_json()["trusted_by"] == "duyet.tinh@example.vn"
    notice = db.session.get(Notice, polled_notice(source["id"], officers["approver"]))
    assert (notice.status, notice.approved_by_id) == ("published", officers["province_approver"].id)
    assert not no_manifest(screen)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "source.trust")) == "source.trust"


@pytest.mark.parametrize("field", ["url", "unit_code", "targets", "bulletin_class"])
def test_a_change_of_address_unit_targets_or_class_drops_the_trust(client, people, upstream, screen, field):
    officers, tokens = people
    upstream.serve("/rss", rss(("old-1", "Tin cũ", "https://tuyenquang.gov.vn/1", "Đã duyệt.")))
    upstream.serve("/other", rss(PRIORITY))
    source = add(client, tokens["editor"], upstream.url("/rss"), bulletin_class="emergency")
    assert client.post(f"/api/v1/sources/{source['id']}/trust",
                       headers=bearer(tokens["province_approver"])).status_code == 200
    sources.poll_now(db.session.get(Source, source["id"]), officers["editor"])  # the trusted feed, published
    screen.get_received("/kiosk")
    change = {"url": upstream.url("/other"), "unit_code": PROVINCE, "targets": {"units": [COMMUNE]},
              "bulletin_class": "priority"}[field]
    editor = "province_approver" if field == "unit_code" else "approver"
    patched = client.patch(f"/api/v1/sources/{source['id']}", json={field: change}, headers=bearer(tokens[editor]))
    assert patched.status_code == 200 and patched.get_json()["trusted_by"] is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "source.update"))
    assert entry.before["trusted_by"] == "duyet.tinh@example.vn" and entry.after["trusted_by"] is None

    if field == "url":  # the new feed's items wait: nobody approved them
        before = snapshot()
        new = db.session.get(Notice, polled_notice(source["id"], officers["editor"]))
        assert (new.status, new.approved_by_id) == ("submitted", None)
        assert snapshot()[2:] == before[2:], "no screen's manifest changed"
        assert no_manifest(screen)


def test_the_approver_who_changed_the_address_cannot_trust_it_again(client, people, upstream):
    _, tokens = people
    upstream.serve("/rss", rss(PRIORITY))
    source = add(client, tokens["editor"], upstream.url("/rss"))
    client.post(f"/api/v1/sources/{source['id']}/trust", headers=bearer(tokens["approver"]))
    client.patch(f"/api/v1/sources/{source['id']}", json={"url": upstream.url("/rss?v=2")},
                 headers=bearer(tokens["approver"]))
    before = sources_state()
    assert_error(client.post(f"/api/v1/sources/{source['id']}/trust", headers=bearer(tokens["approver"])),
                 403, "self_approval")
    assert sources_state() == before
    again = client.post(f"/api/v1/sources/{source['id']}/trust", headers=bearer(tokens["province_approver"]))
    assert again.status_code == 200 and again.get_json()["trusted_by"] == "duyet.tinh@example.vn"


def test_an_editor_cannot_trust_a_source(client, people, upstream):
    _, tokens = people
    source = add(client, tokens["editor"], upstream.url("/rss"))
    before = sources_state()
    assert_error(client.post(f"/api/v1/sources/{source['id']}/trust", headers=bearer(tokens["editor"])),
                 403, "forbidden")
    assert sources_state() == before


def sources_state() -> tuple:
    db.session.expire_all()
    return tuple(db.session.execute(select(Source.id, Source.auto_publish, Source.trusted_by_id, Source.url,
                                           Source.poll_generation).order_by(Source.id)).all())
