"""Information sources against real HTTP servers on loopback: what they bring, once, and what they may not reach."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from kiosk_server.domain import sources as rules
from kiosk_server.extensions import db, socketio
from kiosk_server.models import Alert, AuditEntry, DueJob, Notice, Source, SourceItem
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import notices
from kiosk_server.services.core import due
from kiosk_server.services.screens import kiosks
from kiosk_server.services.sources import sources
from tests.cap_samples import cap_message
from tests.conftest import COMMUNE, OTHER_COMMUNE, make_app
from tests.source_server import BILLION_LAUGHS, cap_index, rss

CAP = "application/cap+xml"


@pytest.fixture
def app(tmp_path, upstream):
    # Loopback is allowed for this test server's host:port only; every other internal address stays refused.
    app = make_app(tmp_path, SOURCE_ALLOW_HOSTS=upstream.host, SOURCE_READ_TIMEOUT=1, SOURCE_TOTAL_TIMEOUT=3,
                   SOURCE_MAX_KB=64)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def feed_source(officer, url, **extra) -> Source:
    return sources.create_source({"name": "Cổng TTĐT tỉnh Tuyên Quang", "kind": "feed", "url": url,
                                  "unit_code": COMMUNE, **extra}, officer)


def cap_source(officer, url, truster=None, **extra) -> Source:
    """A CAP source `officer` adds; `truster`, another approver, lets it publish on its own."""
    source = sources.create_source({"name": "Đài KTTV khu vực Việt Bắc", "kind": "cap", "url": url,
                                    "unit_code": COMMUNE, **extra}, officer)
    return sources.trust(source, truster) if truster else source


def poll_again(source_id: int, officer) -> int:
    """Poll the source now, as if the minimum interval since its last poll had passed."""
    db.session.execute(update(Source).where(Source.id == source_id).values(
        last_polled_at=utcnow() - timedelta(seconds=rules.MIN_POLL_SECONDS)))
    db.session.commit()
    return sources.poll_now(db.session.get(Source, source_id), officer)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


ARTICLES = (
    ("tq-1", "Lịch tiếp công dân tháng 12", "https://tuyenquang.gov.vn/tin/1",
     "<p>Ủy ban tiếp công dân <strong>thứ Năm</strong> hằng tuần.</p><script>alert(1)</script>"),
    ("tq-2", "Hướng dẫn nộp hồ sơ trực tuyến", "https://tuyenquang.gov.vn/tin/2", "Qua Cổng dịch vụ công."),
)


# --- bulletins ------------------------------------------------------------------------------------

def test_a_bulletin_lands_in_the_queue_once_however_often_the_feed_is_polled(app, officers, upstream):
    upstream.serve("/rss", rss(*ARTICLES), content_type="application/rss+xml")
    source = feed_source(officers["editor"], upstream.url("/rss"))

    assert sources.poll_now(source, officers["editor"]) == 2
    for _ in range(3):
        assert poll_again(source.id, officers["editor"]) == 0

    # A feed lists the newest first; the queue takes the oldest first, in the order they were written.
    taken = db.session.scalars(select(Notice).order_by(Notice.id.desc())).all()
    assert [n.title for n in taken] == ["Lịch tiếp công dân tháng 12", "Hướng dẫn nộp hồ sơ trực tuyến"]
    assert {n.status for n in taken} == {"draft"}, "normal class: an editor schedules it, an approver approves it"
    first = notices.notice_json(taken[0])
    assert "<script>" not in first["body"] and "<strong>thứ Năm</strong>" in first["body"]
    assert first["qr_url"] == "https://tuyenquang.gov.vn/tin/1", "the QR leads to the original article"
    assert first["source"] == {"id": source.id, "name": "Cổng TTĐT tỉnh Tuyên Quang",
                               "link": "https://tuyenquang.gov.vn/tin/1"}
    health = sources.source_json(db.session.get(Source, source.id))
    assert health["items_taken"] == 2 and health["last_error"] is None and health["last_polled_at"]


def test_a_normal_bulletin_follows_the_normal_workflow_to_screens(app, officers, upstream):
    upstream.serve("/rss", rss(ARTICLES[1]))
    source = feed_source(officers["editor"], upstream.url("/rss"))
    sources.poll_now(source, officers["editor"])
    notice = db.session.scalar(select(Notice))

    notices.submit(notice, officers["editor"])
    notices.approve(notice, officers["approver"])
    assert notice.status == "published"


def test_an_emergency_bulletin_of_a_trusted_source_publishes_itself(app, officers, upstream):
    upstream.serve("/rss", rss(ARTICLES[1]))
    source = feed_source(officers["editor"], upstream.url("/rss"), bulletin_class="emergency")
    sources.trust(source, officers["approver"])
    sources.poll_now(source, officers["editor"])

    notice = db.session.scalar(select(Notice))
    assert notice.status == "published" and notice.priority == "emergency"
    assert notice.approved_by_id == officers["approver"].id, "the approver who trusted the source stands as second officer"


def test_a_priority_bulletin_of_an_untrusted_source_waits_for_approval(app, officers, upstream):
    upstream.serve("/rss", rss(ARTICLES[1]))
    source = feed_source(officers["editor"], upstream.url("/rss"), bulletin_class="priority")
    sources.poll_now(source, officers["editor"])
    notice = db.session.scalar(select(Notice))
    assert notice.status == "submitted" and notice.priority == "priority"
    assert [i.notice_id for i in sources.queue(officers["approver"])] == [notice.id]


def test_only_an_approver_may_let_a_source_publish_on_its_own(app, officers, upstream):
    with pytest.raises(sources.Forbidden):
        feed_source(officers["editor"], upstream.url("/rss"), auto_publish=True)
    assert count(Source) == 0


def test_a_conditional_get_brings_nothing_twice(app, officers, upstream):
    upstream.serve("/rss", rss(*ARTICLES), etag='"v1"')
    source = feed_source(officers["editor"], upstream.url("/rss"))
    sources.poll_now(source, officers["editor"])
    poll_again(source.id, officers["editor"])

    assert upstream.requests[-1][1].get("If-None-Match") == '"v1"'
    assert upstream.not_modified == 1
    assert count(Notice) == 2


# --- CAP ----------------------------------------------------------------------------------------------

def connect(app, token):
    return socketio.test_client(app, namespace="/kiosk", auth={"token": token})


def test_a_cap_sources_alert_reaches_a_connected_screen(app, officers, upstream):
    _, token = kiosks.provision_kiosk("Một cửa", COMMUNE, actor="test")
    screen = connect(app, token)
    screen.get_received("/kiosk")
    upstream.serve("/cap.xml", cap_message("KTTV-001"), content_type=CAP)
    source = cap_source(officers["editor"], upstream.url("/cap.xml"), officers["approver"])

    assert sources.poll_now(source, officers["approver"]) == 1
    shown = [e["args"][0] for e in screen.get_received("/kiosk") if e["name"] == "alert"]
    assert [a["headline"] for a in shown] == ["Cảnh báo lũ quét"]
    alert = db.session.scalar(select(Alert))
    assert alert.identifier == "KTTV-001" and alert.source == "cap"
    item = db.session.scalar(select(SourceItem))
    assert item.alert_id == alert.id and "Phường Minh Xuân (02215)" in item.note, "the area match is shown"


def test_an_update_and_a_cancel_from_an_index_act_once(app, officers, upstream):
    upstream.serve("/a.xml", cap_message("KTTV-A"), content_type=CAP)
    upstream.serve("/index.xml", cap_index(("KTTV-A", upstream.url("/a.xml"))), content_type="application/atom+xml")
    source = cap_source(officers["editor"], upstream.url("/index.xml"), officers["approver"])
    sources.poll_now(source, officers["approver"])
    first = db.session.scalar(select(Alert).where(Alert.identifier == "KTTV-A"))

    sent = first.sent_at.isoformat()
    upstream.serve("/b.xml", cap_message("KTTV-B", msg_type="Update", headline="Cảnh báo lũ quét cấp 5", level="5",
                                         references=f"canhbao@tuyenquang.gov.vn,KTTV-A,{sent}"), content_type=CAP)
    upstream.serve("/index.xml", cap_index(("KTTV-B", upstream.url("/b.xml")), ("KTTV-A", upstream.url("/a.xml"))))
    for _ in range(2):
        poll_again(source.id, officers["approver"])
    updated = db.session.scalar(select(Alert).where(Alert.identifier == "KTTV-B"))
    db.session.refresh(first)
    assert first.cancelled_at is not None and first.replaced_by_id == updated.id
    assert updated.level == 5 and updated.cancelled_at is None

    upstream.serve("/c.xml", cap_message("KTTV-C", msg_type="Cancel",
                                         references=f"canhbao@tuyenquang.gov.vn,KTTV-B,{sent}"), content_type=CAP)
    upstream.serve("/index.xml", cap_index(("KTTV-C", upstream.url("/c.xml")), ("KTTV-B", upstream.url("/b.xml")),
                                           ("KTTV-A", upstream.url("/a.xml"))))
    for _ in range(3):
        poll_again(source.id, officers["approver"])
    db.session.refresh(updated)
    assert updated.cancelled_at is not None
    assert count(Alert) == 2
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "alert")).all()
    assert sorted(actions) == ["alert.cancel", "alert.raise", "alert.update"], "each message acted once"
    assert upstream.hits("/a.xml") == 1 and upstream.hits("/c.xml") == 1, "a linked document is fetched once"


def test_a_cap_message_beyond_the_sources_unit_is_refused_with_its_reason(app, officers, upstream):
    upstream.serve("/cap.xml", cap_message("CB-001", units=(OTHER_COMMUNE,)), content_type=CAP)
    source = cap_source(officers["editor"], upstream.url("/cap.xml"), officers["province_admin"])

    assert sources.poll_now(source, officers["province_admin"]) == 0
    assert count(Alert) == 0
    health = sources.source_json(db.session.get(Source, source.id))
    assert "ngoài phạm vi" in health["last_error"]
    assert db.session.scalar(select(SourceItem.status)) == "refused"


def test_an_area_named_by_its_official_unit_name_is_matched(app, officers, upstream):
    document = cap_message("KTTV-NAME", units=())  # no geocode: <areaDesc>Phường Minh Xuân</areaDesc> only
    upstream.serve("/cap.xml", document, content_type=CAP)
    source = cap_source(officers["editor"], upstream.url("/cap.xml"), officers["approver"])
    sources.poll_now(source, officers["approver"])
    assert db.session.scalar(select(Alert)).unit_codes == [COMMUNE]


def test_a_cap_message_of_an_untrusted_source_waits_for_an_approver(app, officers, upstream):
    upstream.serve("/cap.xml", cap_message("KTTV-W"), content_type=CAP)
    source = cap_source(officers["editor"], upstream.url("/cap.xml"))
    sources.poll_now(source, officers["editor"])
    assert count(Alert) == 0
    [item] = sources.queue(officers["approver"])
    assert item.status == "waiting" and item.title == "Cảnh báo lũ quét"

    alert = sources.send_waiting(item, officers["approver"])
    assert alert.created_by_id == officers["approver"].id and db.session.get(SourceItem, item.id).status == "taken"
    poll_again(source.id, officers["editor"])
    assert count(Alert) == 1


# --- refusals -------------------------------------------------------------------------------------------

def _refused(app, officers, upstream, url: str) -> str:
    source = feed_source(officers["editor"], url)
    before = (count(Notice), count(Alert))
    assert sources.poll_now(source, officers["editor"]) == 0
    assert (count(Notice), count(Alert)) == before, "nothing else changes"
    source = db.session.get(Source, source.id)
    assert source.failures == 1 and source.last_success_at is None
    return source.last_error


def test_a_slow_feed_is_refused(app, officers, upstream):
    app.config["SOURCE_READ_TIMEOUT"] = 0.2  # the answer comes five times later; waiting a whole second proves no more
    upstream.serve("/slow", rss(*ARTICLES), delay_s=1)
    assert "quá chậm" in _refused(app, officers, upstream, upstream.url("/slow"))


def test_a_huge_feed_is_refused(app, officers, upstream):
    upstream.serve("/huge", b"<rss>" + b" " * (200 * 1024) + b"</rss>")
    assert "lớn quá 64 KB" in _refused(app, officers, upstream, upstream.url("/huge"))


def test_a_huge_feed_without_a_length_is_cut_off(app, officers, upstream):
    def stream(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.end_headers()
        try:
            for _ in range(200):
                handler.wfile.write(b" " * 1024)
        except (BrokenPipeError, ConnectionResetError):
            pass

    upstream.serve("/stream", handler=stream)
    assert "lớn quá 64 KB" in _refused(app, officers, upstream, upstream.url("/stream"))


def test_a_billion_laughs_document_is_refused(app, officers, upstream):
    upstream.serve("/lol", BILLION_LAUGHS)
    assert "DTD" in _refused(app, officers, upstream, upstream.url("/lol"))


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/rss",
                                    "http://127.0.0.1:1/rss"])
def test_a_redirect_to_a_private_address_is_refused(app, officers, upstream, target):
    upstream.serve("/moved", status=302, headers={"Location": target})
    assert "mạng nội bộ" in _refused(app, officers, upstream, upstream.url("/moved"))


def test_a_name_resolving_to_a_private_address_is_refused(app, officers, upstream):
    # "localhost" resolves to loopback and is not the listed host: refused after resolution.
    upstream.serve("/rss", rss(*ARTICLES))
    error = _refused(app, officers, upstream, f"http://localhost:{upstream.port}/rss")
    assert "Địa chỉ trỏ vào mạng nội bộ, bị từ chối" in error
    assert upstream.requests == [], "no connection was made"


def test_errors_in_a_row_space_the_polls_out(app, officers, upstream):
    source = feed_source(officers["editor"], upstream.url("/missing"))
    db.session.execute(DueJob.__table__.update().values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    due.run_due(kinds=sources.JOB_KINDS)
    source = db.session.get(Source, source.id)
    assert "404" in source.last_error and source.failures == 1
    assert source.next_poll_at - source.last_polled_at >= timedelta(seconds=2 * source.poll_seconds)


# --- polling once ----------------------------------------------------------------------------------------

@pytest.fixture
def other(app, upstream, tmp_path):
    """A second server process on the same database."""
    other = make_app(tmp_path / "other", DATABASE_URL=app.config["DATABASE_URL"], SOURCE_ALLOW_HOSTS=upstream.host)
    yield other
    with other.app_context():
        db.engine.dispose()


def test_polling_runs_once_across_processes_and_keeps_its_schedule(app, officers, upstream, other):
    upstream.serve("/rss", rss(*ARTICLES))
    source = feed_source(officers["editor"], upstream.url("/rss"))

    due.run_due(kinds=sources.JOB_KINDS)
    with other.app_context():
        due.run_due(kinds=sources.JOB_KINDS)
        db.session.remove()
    assert upstream.hits("/rss") == 1 and count(Notice) == 2

    [job] = due.pending(sources.POLL_JOB)
    source = db.session.get(Source, source.id)
    assert job.payload == {"id": source.id, "gen": source.poll_generation} == {"id": source.id, "gen": 1}
    assert job.due_at == source.next_poll_at
    with other.app_context():
        due.run_due(now=source.next_poll_at + timedelta(seconds=1), kinds=sources.JOB_KINDS)
        db.session.remove()
    assert upstream.hits("/rss") == 2 and count(Notice) == 2, "the next poll, by whichever process, takes nothing twice"
    [job] = due.pending(sources.POLL_JOB)
    assert job.payload["gen"] == 2, "one job per source, always"


def test_a_poll_already_running_holds_off_the_scheduled_one(app, officers, upstream):
    upstream.serve("/rss", rss(*ARTICLES))
    source = feed_source(officers["editor"], upstream.url("/rss"))
    assert sources._claim(source.id, None), "as if a 'poll now' were running"

    due.run_due(kinds=sources.JOB_KINDS)
    assert upstream.hits("/rss") == 0
    [job] = due.pending(sources.POLL_JOB)
    assert job.due_at > utcnow(), "looked at again once the lease lapses"
    with pytest.raises(sources.Conflict):
        poll_again(source.id, officers["editor"])


def test_an_edited_source_leaves_its_old_schedule_behind(app, officers, upstream):
    upstream.serve("/rss", rss(*ARTICLES))
    source = feed_source(officers["editor"], upstream.url("/rss"))
    sources.update_source(source, {"poll_seconds": 600}, officers["editor"])
    due.run_due(kinds=sources.JOB_KINDS)
    assert upstream.hits("/rss") == 1, "the first generation's job did nothing"
    assert len(due.pending(sources.POLL_JOB)) == 1


def test_a_source_whose_trusting_approver_left_no_longer_publishes_on_its_own(app, officers, upstream):
    from kiosk_server.services.core import users

    upstream.serve("/cap.xml", cap_message("KTTV-LEFT"), content_type=CAP)
    source = cap_source(officers["editor"], upstream.url("/cap.xml"), officers["approver"])
    users.update_user(officers["approver"], officers["commune_admin"], active=False)
    poll_again(source.id, officers["editor"])
    assert count(Alert) == 0
    assert db.session.scalar(select(SourceItem.status)) == "waiting", "it waits for an approver instead"
