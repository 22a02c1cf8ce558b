"""Approving or withdrawing a notice needs scope over every target it plays on (units, groups' units,
screens' units), not only over the notice's own unit; the refusal names the target and changes nothing."""

import pytest
from sqlalchemy import func, select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import Kiosk, KioskGroup, Notice, NoticeTarget, PublishEvent
from kiosk_server.services.core import scope
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, PROVINCE, bearer
from tests.notice_helpers import create
from tests.web.test_api import assert_error

NEIGHBOUR = "02212"  # another commune of Tuyên Quang


@pytest.fixture
def neighbour_screen(app):
    kiosk, token = kiosks.provision_kiosk("Nhà văn hóa Nông Tiến", NEIGHBOUR, ["Chợ"], actor="test")
    client = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    client.get_received("/kiosk")
    return kiosk, client


def snapshot() -> tuple:
    db.session.expire_all()
    notices = tuple(db.session.execute(
        select(Notice.id, Notice.status, Notice.published_version, Notice.approved_by_id).order_by(Notice.id)).all())
    targets = tuple(db.session.execute(select(NoticeTarget.notice_id, NoticeTarget.kind, NoticeTarget.ref)
                                       .order_by(NoticeTarget.notice_id, NoticeTarget.kind, NoticeTarget.ref)).all())
    versions = tuple(db.session.execute(select(Kiosk.id, Kiosk.manifest_version).order_by(Kiosk.id)).all())
    return notices, targets, versions, db.session.scalar(select(func.count()).select_from(PublishEvent))


def no_manifest(screen) -> bool:
    return [e for e in screen.get_received("/kiosk") if e["name"] in ("manifest", "alert_cancel")] == []


def submitted(client, tokens, targets: dict) -> int:
    """A notice of the commune that a province editor aimed at `targets`, waiting for approval."""
    notice_id = create(client, tokens["province_editor"], targets=targets)["id"]
    assert client.post(f"/api/v1/notices/{notice_id}/submit",
                       headers=bearer(tokens["province_editor"])).status_code == 200
    return notice_id


def target_cases(kiosk: Kiosk) -> list[dict]:
    group = db.session.scalar(select(KioskGroup).where(KioskGroup.unit_code == NEIGHBOUR))
    return [{"units": [PROVINCE]}, {"units": [COMMUNE, NEIGHBOUR]}, {"groups": [group.id]}, {"kiosks": [kiosk.id]}]


@pytest.mark.parametrize("case", range(4))
def test_commune_approver_cannot_publish_beyond_the_commune(client, province_people, neighbour_screen, case):
    kiosk, screen = neighbour_screen
    notice_id = submitted(client, province_people, target_cases(kiosk)[case])
    before = snapshot()
    error = assert_error(client.post(f"/api/v1/notices/{notice_id}/approve",
                                     headers=bearer(province_people["approver"])), 403, "out_of_scope")
    outside = PROVINCE if case == 0 else NEIGHBOUR
    assert f"mã {outside}" in error["message"] and "targets" in error["fields"]
    assert snapshot() == before
    assert no_manifest(screen)


def test_commune_approver_cannot_withdraw_a_province_wide_notice(client, province_people, neighbour_screen):
    _, screen = neighbour_screen
    notice_id = submitted(client, province_people, {"units": [PROVINCE]})
    assert client.post(f"/api/v1/notices/{notice_id}/approve",
                       headers=bearer(province_people["province_approver"])).status_code == 200
    screen.get_received("/kiosk")
    before = snapshot()
    assert_error(client.post(f"/api/v1/notices/{notice_id}/withdraw", headers=bearer(province_people["approver"])),
                 403, "out_of_scope")
    assert snapshot() == before
    assert no_manifest(screen)


def test_the_ui_shows_why_approval_was_refused(client, auth, province_people, neighbour_screen):
    _, screen = neighbour_screen
    notice_id = submitted(client, province_people, {"units": [PROVINCE]})
    before = snapshot()
    auth.login("duyet@example.vn")
    page = client.post(f"/admin/notices/{notice_id}/approve",
                       data={"csrf_token": auth.csrf(f"/admin/notices/{notice_id}")}, follow_redirects=True)
    assert "Tuyên Quang" in page.get_data(as_text=True) and "ngoài phạm vi" in page.get_data(as_text=True)
    assert snapshot() == before
    assert no_manifest(screen)


def test_a_province_approver_still_publishes_province_wide(client, province_people, neighbour_screen):
    _, screen = neighbour_screen
    notice_id = submitted(client, province_people, {"units": [PROVINCE]})
    response = client.post(f"/api/v1/notices/{notice_id}/approve", headers=bearer(province_people["province_approver"]))
    assert response.status_code == 200 and response.get_json()["status"] == "published"
    assert not no_manifest(screen)


def test_editors_are_held_to_the_same_targets_rule(client, tokens, neighbour_screen):
    kiosk, _ = neighbour_screen
    for targets in target_cases(kiosk):
        response = client.post("/api/v1/notices", json={
            "title": "Thông báo", "body": "<p>Nội dung</p>", "unit_code": COMMUNE, "priority": "normal",
            "category": "local", "targets": targets}, headers=bearer(tokens["editor"]))
        assert "targets" in assert_error(response, 403, "out_of_scope")["fields"]
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_target_unit_codes_reads_units_groups_and_screens(neighbour_screen):
    kiosk, _ = neighbour_screen
    group = db.session.scalar(select(KioskGroup).where(KioskGroup.unit_code == NEIGHBOUR))
    assert scope.target_unit_codes({"units": [COMMUNE], "groups": [group.id], "kiosks": [kiosk.id]}) == {
        COMMUNE, NEIGHBOUR}
    assert scope.target_unit_codes({"units": [], "groups": [99999], "kiosks": [99999]}) == set()
    assert scope.target_unit_codes(None) == set()


def test_the_ui_offers_no_approval_it_would_refuse(client, auth, province_people, neighbour_screen):
    # The queue and the notice's page draw their buttons from the workflow's own checks: an approver
    # without scope over every target may still return the notice, but is not offered to approve it.
    notice_id = submitted(client, province_people, {"units": [PROVINCE]})
    auth.login("duyet@example.vn")

    queue = client.get("/admin/approvals").get_data(as_text=True)
    page = client.get(f"/admin/notices/{notice_id}").get_data(as_text=True)

    for html in (queue, page):
        assert f"/admin/notices/{notice_id}/approve" not in html
        assert f"/admin/notices/{notice_id}/reject" in html


def test_the_notice_page_names_only_the_screens_and_groups_the_officer_may_see(client, auth, province_people,
                                                                                neighbour_screen):
    kiosk, _ = neighbour_screen
    group = db.session.scalar(select(KioskGroup).where(KioskGroup.unit_code == NEIGHBOUR))
    notice_id = submitted(client, province_people, {"groups": [group.id], "kiosks": [kiosk.id]})

    auth.login("duyet@example.vn")
    page = client.get(f"/admin/notices/{notice_id}").get_data(as_text=True)
    assert "Nhà văn hóa Nông Tiến" not in page
    assert f"#{kiosk.id}" in page and f"#{group.id}" in page

    auth.logout()
    auth.login("tinh@example.vn")  # the province admin may see both, by name
    assert "Nhà văn hóa Nông Tiến" in client.get(f"/admin/notices/{notice_id}").get_data(as_text=True)
