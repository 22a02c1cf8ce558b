"""One workflow for every approvable kind: what the officer UI offers is exactly what the steps allow.

For notices and playlists, at every stage a record can stand in and for officers of every role and
scope, `offered_actions` (what the workflow panel draws as buttons) is checked against what running
the step really does: a button is never shown for a step that would be refused, nor hidden for one
that would pass. A self-approval is offered only as the explanation, and refused when pressed.
"""

from __future__ import annotations

import pytest

from kiosk_server.services.content import notices, playlists, workflow
from kiosk_server.services.core.errors import ServiceError
from tests.conftest import COMMUNE
from tests.notice_helpers import notice_body

STAGES = ("draft", "submitted", "published", "published_with_draft_edit", "withdrawn", "submitted_by_admin")
ACTORS = ("editor", "approver", "commune_admin", "province_admin", "viewer", "other_admin")


def _new(kind_name: str, officers, author) -> object:
    if kind_name == "notice":
        return notices.create_notice(notice_body(), author)
    item = notices.create_notice(notice_body(title="Mục của chương trình"), officers["editor"])
    notices.submit(item, officers["editor"])
    notices.approve(item, officers["approver"])
    return playlists.create_playlist({"name": "Vòng buổi sáng", "unit_code": COMMUNE, "mode": "mixed",
                                      "items": [{"notice_id": item.id}]}, author)


def _at_stage(kind, officers, stage: str):
    author = officers["commune_admin" if stage == "submitted_by_admin" else "editor"]
    record = _new(kind.name, officers, author)
    if stage == "draft":
        return record
    workflow.submit(kind, record, author)
    if stage in ("submitted", "submitted_by_admin"):
        return record
    workflow.approve(kind, record, officers["approver"])
    if stage == "published_with_draft_edit":
        workflow.update(kind, record, {"unit_code": COMMUNE}, record.version, officers["editor"])
    elif stage == "withdrawn":
        workflow.withdraw(kind, record, officers["approver"])
    return record


def _passes(kind, record, actor, action: str) -> bool:
    try:
        if action == "reject":
            workflow.reject(kind, record, "Cần bổ sung số điện thoại liên hệ.", actor)
        else:
            getattr(workflow, action)(kind, record, actor)
    except ServiceError:
        return False
    return True


@pytest.mark.parametrize("kind", [notices.NOTICE, playlists.PLAYLIST], ids=["notice", "playlist"])
@pytest.mark.parametrize("stage", STAGES)
def test_the_panel_offers_exactly_the_steps_that_pass(app, officers, kind, stage):
    disagreements = []
    for who in ACTORS:
        for action in workflow.ACTIONS:
            record = _at_stage(kind, officers, stage)
            offered = workflow.offered_actions(kind, record, officers[who])
            button = action in offered and offered[action] is None
            if button != _passes(kind, record, officers[who], action):
                disagreements.append(f"{who} {action}: button {'shown' if button else 'hidden'}")
    assert disagreements == []


@pytest.mark.parametrize("kind", [notices.NOTICE, playlists.PLAYLIST], ids=["notice", "playlist"])
def test_an_author_who_approves_sees_why_instead_of_a_button(app, officers, kind):
    record = _at_stage(kind, officers, "submitted_by_admin")

    refusal = workflow.offered_actions(kind, record, officers["commune_admin"])["approve"]

    assert refusal is not None and refusal.code == "self_approval"
    assert "Người duyệt phải là người khác" in str(refusal.message)
    assert workflow.offered_actions(kind, record, officers["approver"])["approve"] is None


@pytest.mark.parametrize("kind", [notices.NOTICE, playlists.PLAYLIST], ids=["notice", "playlist"])
def test_each_kind_names_itself_in_the_shared_refusals(app, officers, kind):
    record = _at_stage(kind, officers, "draft")
    noun = "thông báo" if kind is notices.NOTICE else "chương trình phát"

    with pytest.raises(ServiceError) as refused:
        workflow.approve(kind, record, officers["approver"])
    assert str(refused.value.message) == f"Không thể duyệt {noun} đang ở trạng thái “Bản nháp”."

    with pytest.raises(ServiceError) as stale:
        workflow.update(kind, record, {"unit_code": COMMUNE}, record.version + 5, officers["editor"])
    assert str(stale.value.message).startswith(f"{noun[0].upper()}{noun[1:]} đã được sửa thành phiên bản 1 ")
