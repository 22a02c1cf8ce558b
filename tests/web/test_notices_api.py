"""Notices through the API: validation, versioned edits and the approval workflow."""

import pytest
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Notice, NoticeRevision
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, bearer
from tests.notice_helpers import create, notice_body, publish
from tests.web.test_api import assert_error


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_editor_creates_a_draft(client, tokens):
    response = client.post("/api/v1/notices", json=notice_body(), headers=bearer(tokens["editor"]))
    assert response.status_code == 201
    assert response.get_json() == {"id": 1, "version": 1, "status": "draft"}
    assert response.headers["ETag"] == '"1"'
    notice = client.get("/api/v1/notices/1", headers=bearer(tokens["viewer"])).get_json()
    assert notice["title"] == "Lịch tiếp công dân tháng 12"
    assert notice["targets"] == {"units": [COMMUNE], "groups": [], "kiosks": []}, "no target: its own unit"
    assert notice["public_url"] == "http://localhost/n/1"
    assert notice["author"] == "bientap@example.vn"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "T" * 201}, "title"),
        ({"starts_at": "2026-12-10T08:00", "ends_at": "2026-12-01T08:00"}, "ends_at"),
        ({"starts_at": "2026-02-30T10:00"}, "starts_at"),
        ({"ends_at": "ngày mai"}, "ends_at"),
        ({"days": [0, 8]}, "days"),
        ({"hours": [["25:00", "26:00"]]}, "hours"),
        ({"hours": [["07:00", "07:00"]]}, "hours"),
        ({"duration_s": -5}, "duration_s"),
        ({"duration_s": 0}, "duration_s"),
        ({"priority": "urgent"}, "priority"),
        ({"qr_url": "javascript:alert(1)"}, "qr_url"),
        ({"qr_url": "ftp://example.vn/x"}, "qr_url"),
        ({"qr_url": "https://"}, "qr_url"),
        ({"category": "nope"}, "category"),
        ({"translations": [{"language": "vi", "title": "x"}]}, "translations"),
        ({"translations": [{"language": "km", "title": ""}]}, "translations"),
        ({"media_ids": [999]}, "media_ids"),
        ({"targets": {"kiosks": [999]}}, "targets"),
        ({"targets": {"streets": ["x"]}}, "targets"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(client, tokens, changes, field):
    response = client.post("/api/v1/notices", json=notice_body(**changes), headers=bearer(tokens["editor"]))
    error = assert_error(response, 422)
    assert field in error["fields"], error
    assert count(Notice) == 0 and count(NoticeRevision) == 0


def test_unknown_unit_is_404(client, tokens):
    assert_error(client.post("/api/v1/notices", json=notice_body(unit_code="99999"),
                             headers=bearer(tokens["editor"])), 404, "unknown_unit")
    assert count(Notice) == 0


def test_targets_outside_scope_are_403(client, tokens):
    for body in (notice_body(unit_code=OTHER_COMMUNE), notice_body(targets={"units": [PROVINCE]})):
        assert_error(client.post("/api/v1/notices", json=body, headers=bearer(tokens["editor"])), 403)
    assert count(Notice) == 0


def test_listing_another_units_notices_is_403_and_an_unknown_unit_404(client, tokens):
    """The notice list filters by unit like the media and feedback lists: no silent empty answer."""
    publish(client, tokens)
    mine = client.get(f"/api/v1/notices?unit={COMMUNE}", headers=bearer(tokens["editor"]))
    assert mine.status_code == 200 and len(mine.get_json()) == 1
    assert_error(client.get(f"/api/v1/notices?unit={PROVINCE}", headers=bearer(tokens["editor"])), 403, "out_of_scope")
    assert_error(client.get("/api/v1/notices?unit=99999", headers=bearer(tokens["editor"])), 404, "unknown_unit")


def test_viewer_cannot_write(client, tokens):
    assert_error(client.post("/api/v1/notices", json=notice_body(), headers=bearer(tokens["viewer"])), 403)


def test_scripts_never_survive_in_the_body(client, tokens):
    hostile = ('<p onclick="steal()">Xin chào<script>alert(1)</script> <a href="javascript:alert(1)">bấm</a> '
               '<a href="https://dichvucong.gov.vn">DVC</a><img src=x onerror=alert(1)><style>p{}</style></p>')
    created = create(client, tokens["editor"], body=hostile)
    body = client.get(f"/api/v1/notices/{created['id']}", headers=bearer(tokens["editor"])).get_json()["body"]
    assert "script" not in body and "onclick" not in body and "javascript" not in body and "<img" not in body
    assert "alert" not in body and "<style" not in body
    assert '<a href="https://dichvucong.gov.vn" rel="noopener noreferrer">DVC</a>' in body
    assert body.startswith("<p>Xin chào")


def test_plain_text_body_becomes_paragraphs(client, tokens):
    created = create(client, tokens["editor"], body="Dòng một\n\nĐoạn <hai> & ba")
    body = client.get(f"/api/v1/notices/{created['id']}", headers=bearer(tokens["editor"])).get_json()["body"]
    assert body == "<p>Dòng một</p><p>Đoạn &lt;hai&gt; &amp; ba</p>"


def test_time_without_offset_is_viet_nam_time(client, tokens):
    created = create(client, tokens["editor"], starts_at="2026-12-01T07:30", ends_at="2026-12-31T17:00:00+07:00")
    notice = client.get(f"/api/v1/notices/{created['id']}", headers=bearer(tokens["editor"])).get_json()
    assert notice["starts_at"] == "2026-12-01T07:30:00+07:00"
    assert notice["ends_at"] == "2026-12-31T17:00:00+07:00"


# --- versioned edits --------------------------------------------------------------------------

def test_patch_needs_if_match(client, tokens):
    created = create(client, tokens["editor"])
    assert_error(client.patch(f"/api/v1/notices/{created['id']}", json={"title": "Mới"},
                              headers=bearer(tokens["editor"])), 428)


def test_stale_edit_is_412_and_loses_nothing(client, tokens):
    created = create(client, tokens["editor"])
    first = client.patch(f"/api/v1/notices/{created['id']}", json={"title": "Sửa lần một"},
                         headers={**bearer(tokens["editor"]), "If-Match": '"1"'})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    assert first.headers["ETag"] == '"2"'
    stale = client.patch(f"/api/v1/notices/{created['id']}", json={"title": "Sửa đè"},
                         headers={**bearer(tokens["approver"]), "If-Match": "1"})
    error = assert_error(stale, 412, "stale_version")
    assert "phiên bản 2" in error["message"]
    notice = client.get(f"/api/v1/notices/{created['id']}", headers=bearer(tokens["editor"])).get_json()
    assert (notice["title"], notice["version"]) == ("Sửa lần một", 2)
    assert count(NoticeRevision) == 2


def test_bad_edit_keeps_the_old_version(client, tokens):
    created = create(client, tokens["editor"])
    response = client.patch(f"/api/v1/notices/{created['id']}", json={"title": "", "priority": "x"},
                            headers={**bearer(tokens["editor"]), "If-Match": "1"})
    error = assert_error(response, 422)
    assert {"title", "priority"} <= set(error["fields"])
    assert client.get(f"/api/v1/notices/{created['id']}", headers=bearer(tokens["editor"])).get_json()["version"] == 1


# --- workflow ---------------------------------------------------------------------------------

def test_draft_submitted_published(client, tokens):
    approved = publish(client, tokens)
    assert approved["status"] == "published" and approved["published_version"] == 1
    assert approved["approved_by"] == "duyet@example.vn"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "notice")).all()
    assert actions == ["notice.create", "notice.submit", "notice.approve"]


def test_author_cannot_approve_own_notice(client, tokens):
    created = create(client, tokens["approver"])
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=bearer(tokens["approver"]))
    error = assert_error(client.post(f"/api/v1/notices/{created['id']}/approve", headers=bearer(tokens["approver"])),
                         403, "self_approval")
    assert "người khác" in error["message"]


def test_last_editor_cannot_approve_either(client, tokens):
    created = create(client, tokens["editor"])
    client.patch(f"/api/v1/notices/{created['id']}", json={"title": "Duyệt viên sửa"},
                 headers={**bearer(tokens["approver"]), "If-Match": "1"})
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=bearer(tokens["editor"]))
    assert_error(client.post(f"/api/v1/notices/{created['id']}/approve", headers=bearer(tokens["approver"])), 403)


def test_editor_cannot_approve(client, tokens):
    created = create(client, tokens["approver"])
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=bearer(tokens["approver"]))
    assert_error(client.post(f"/api/v1/notices/{created['id']}/approve", headers=bearer(tokens["editor"])), 403)


def test_approving_a_draft_is_a_conflict(client, tokens):
    created = create(client, tokens["editor"])
    error = assert_error(client.post(f"/api/v1/notices/{created['id']}/approve", headers=bearer(tokens["approver"])),
                         409, "invalid_transition")
    assert "Bản nháp" in error["message"]


def test_reject_returns_to_draft_with_reason(client, tokens):
    created = create(client, tokens["editor"])
    client.post(f"/api/v1/notices/{created['id']}/submit", headers=bearer(tokens["editor"]))
    assert_error(client.post(f"/api/v1/notices/{created['id']}/reject", json={"reason": " "},
                             headers=bearer(tokens["approver"])), 422)
    rejected = client.post(f"/api/v1/notices/{created['id']}/reject", json={"reason": "Sai ngày tiếp dân"},
                           headers=bearer(tokens["approver"]))
    assert rejected.status_code == 200
    assert (rejected.get_json()["status"], rejected.get_json()["rejection_reason"]) == ("draft", "Sai ngày tiếp dân")


def test_edit_of_published_goes_back_through_approval(client, tokens):
    approved = publish(client, tokens)
    edited = client.patch(f"/api/v1/notices/{approved['id']}", json={"title": "Lịch mới"},
                          headers={**bearer(tokens["editor"]), "If-Match": "1"}).get_json()
    assert (edited["status"], edited["version"], edited["published_version"]) == ("draft", 2, 1)


def test_withdraw_takes_it_off(client, tokens):
    approved = publish(client, tokens)
    withdrawn = client.post(f"/api/v1/notices/{approved['id']}/withdraw", headers=bearer(tokens["approver"]))
    assert withdrawn.status_code == 200
    assert (withdrawn.get_json()["status"], withdrawn.get_json()["published_version"]) == ("withdrawn", None)
    assert_error(client.post(f"/api/v1/notices/{approved['id']}/withdraw", headers=bearer(tokens["approver"])), 409)


def test_notice_of_another_province_is_hidden(client, tokens):
    created = create(client, tokens["other_admin"], unit_code=OTHER_COMMUNE)
    assert_error(client.get(f"/api/v1/notices/{created['id']}", headers=bearer(tokens["editor"])), 404, "not_found")
    listed = client.get("/api/v1/notices", headers=bearer(tokens["province_admin"])).get_json()
    assert listed == []


def test_list_filters(client, tokens):
    publish(client, tokens, title="Đã phát hành")
    create(client, tokens["editor"], title="Nháp", category="health")
    by_status = client.get("/api/v1/notices?status=published", headers=bearer(tokens["viewer"])).get_json()
    assert [n["title"] for n in by_status] == ["Đã phát hành"]
    by_category = client.get("/api/v1/notices?category=health", headers=bearer(tokens["viewer"])).get_json()
    assert [n["title"] for n in by_category] == ["Nháp"]
    assert_error(client.get("/api/v1/notices?colour=red", headers=bearer(tokens["viewer"])), 422)


def test_every_problem_is_reported_in_one_round(client, tokens):
    body = notice_body(title="", starts_at="2026-12-10T08:00", ends_at="2026-12-01T08:00", priority="x")
    error = assert_error(client.post("/api/v1/notices", json=body, headers=bearer(tokens["editor"])), 422)
    assert {"title", "ends_at", "priority"} <= set(error["fields"])
