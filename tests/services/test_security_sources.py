"""Issue 20, items 1, 2, 8 and 9: what an upstream source may not do that an officer's own request may not.

An approver who created a source, or last set its address, unit, targets or class, is an author of
everything it brings: they can neither approve its bulletins nor be the trust that publishes them.
A change of address, unit, targets or class drops the trust. Ingestion is bounded, and the address
checks hold at the edges. Each refusal changes nothing and reaches no screen.
"""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from kiosk_server.domain import sources as rules
from kiosk_server.extensions import db, socketio
from kiosk_server.models import AuditEntry, Notice, Source, SourceItem
from kiosk_server.services.core.tokens import create_token
from kiosk_server.services.core.users import create_user
from kiosk_server.services.screens import kiosks
from kiosk_server.services.sources import sources
from tests.cap_samples import cap_message
from tests.conftest import COMMUNE, PROVINCE, bearer
from tests.services import test_sources as base
from tests.services.test_security_approve_scope import no_manifest, snapshot
from tests.source_server import cap_index, rss
from tests.web.test_api import assert_error

app = base.app  # the same loopback server (tests/conftest.py upstream) and app as the sources' own tests
ARTICLES, CAP, feed_source = base.ARTICLES, base.CAP, base.feed_source


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
    assert base.poll_again(source_id, officer) == 1
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


# --- item 8: bounded ingestion ----------------------------------------------------------------------

def test_poll_now_and_a_patch_keep_the_minimum_interval(client, people, upstream):
    officers, tokens = people
    upstream.serve("/rss", rss(*ARTICLES))
    source = feed_source(officers["editor"], upstream.url("/rss"))
    assert client.post(f"/api/v1/sources/{source.id}/poll", headers=bearer(tokens["editor"])).status_code == 200
    before = sources_state(), upstream.hits("/rss")
    error = assert_error(client.post(f"/api/v1/sources/{source.id}/poll", headers=bearer(tokens["editor"])),
                         409, "poll_too_soon")
    assert "giây" in error["message"]
    assert (sources_state(), upstream.hits("/rss")) == before, "no fetch, no change"

    patched = client.patch(f"/api/v1/sources/{source.id}", json={"name": "Cổng TTĐT"}, headers=bearer(tokens["editor"]))
    polled_at = db.session.get(Source, source.id).last_polled_at
    next_at = datetime.fromisoformat(patched.get_json()["next_poll_at"])
    assert (next_at - polled_at).total_seconds() >= rules.MIN_POLL_SECONDS, "an edit does not poll again at once"


def test_the_officer_ui_poll_now_keeps_the_minimum_interval(client, auth, officers, upstream):
    upstream.serve("/rss", rss(*ARTICLES))
    source = feed_source(officers["editor"], upstream.url("/rss"))
    auth.login("bientap@example.vn")
    for _ in range(2):
        page = client.post(f"/admin/sources/{source.id}/poll",
                           data={"csrf_token": auth.csrf(f"/admin/sources/{source.id}")}, follow_redirects=True)
    assert upstream.hits("/rss") == 1
    assert "hãy thử lại sau" in page.get_data(as_text=True)


def test_waiting_cap_messages_are_capped_in_number_and_bytes(app, officers, upstream):
    app.config.update(SOURCE_MAX_WAITING=2, SOURCE_MAX_WAITING_KB=1024)
    entries = []
    for n in range(4):
        upstream.serve(f"/{n}.xml", cap_message(f"KTTV-{n}"), content_type=CAP)
        entries.insert(0, (f"KTTV-{n}", upstream.url(f"/{n}.xml")))
    upstream.serve("/index.xml", cap_index(*entries), content_type="application/atom+xml")
    source = base.cap_source(officers["editor"], upstream.url("/index.xml"))
    sources.poll_now(source, officers["editor"])
    waiting = db.session.scalars(select(SourceItem).where(SourceItem.status == "waiting")).all()
    assert [item.key for item in waiting] == ["KTTV-0", "KTTV-1"]
    assert upstream.hits("/2.xml") == upstream.hits("/3.xml") == 0, "a full queue fetches nothing more"
    assert "Hàng chờ" in db.session.get(Source, source.id).last_error

    app.config.update(SOURCE_MAX_WAITING=50, SOURCE_MAX_WAITING_KB=len(cap_message("KTTV-0").encode()) * 3 // 1024)
    db.session.execute(Source.__table__.update().values(last_polled_at=None))
    db.session.commit()
    sources.poll_now(db.session.get(Source, source.id), officers["editor"])
    kept = db.session.scalars(select(SourceItem.document).where(SourceItem.status == "waiting")).all()
    assert len(kept) == 2 and sum(map(len, kept)) <= app.config["SOURCE_MAX_WAITING_KB"] * 1024


def test_a_unit_holds_a_bounded_number_of_sources(client, people, upstream):
    _, tokens = people
    client.application.config["SOURCE_MAX_PER_UNIT"] = 2
    for n in range(2):
        add(client, tokens["editor"], upstream.url(f"/{n}"))
    before = sources_state()
    response = client.post("/api/v1/sources", headers=bearer(tokens["editor"]), json={
        "name": "Thêm", "kind": "feed", "url": upstream.url("/2"), "unit_code": COMMUNE})
    assert "unit_code" in assert_error(response, 409, "too_many_sources")["fields"]
    assert sources_state() == before


def test_due_polls_run_cap_sources_first(app, officers, upstream):
    app.config["SOURCE_POLL_WORKERS"] = 1  # one at a time, so the order is what is measured
    upstream.serve("/rss", rss(*ARTICLES))
    upstream.serve("/cap.xml", cap_message("KTTV-F"), content_type=CAP)
    feed_source(officers["editor"], upstream.url("/rss?a"))
    feed_source(officers["editor"], upstream.url("/rss?b"))
    base.cap_source(officers["editor"], upstream.url("/cap.xml"))
    assert sources.poll_due() == 3
    assert upstream.requests[0][0] == "/cap.xml"


def test_due_polls_run_side_by_side(app, officers, upstream):
    """Two feeds that each answer only once the other one was asked: polled one after another, the
    first would give up waiting; polled side by side, both answer."""
    both_asked = threading.Barrier(2)

    def meet(handler):
        both_asked.wait(timeout=2)
        body = rss(*ARTICLES).encode()
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    for path in ("/a", "/b"):
        upstream.serve(path, handler=meet)
        feed_source(officers["editor"], upstream.url(path))
    assert sources.poll_due() == 2
    assert [s.last_error for s in db.session.scalars(select(Source))] == ["", ""]
