"""Playlists through the API: validation, versioned edits, the approval workflow, the clash of exclusive
playlists, and what reaches the screens' manifests."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Kiosk, Playlist, PlaylistRevision
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, OTHER_COMMUNE, bearer
from tests.notice_helpers import create, publish
from tests.playlist_helpers import create_playlist, playlist_body, publish_playlist, upload_picture
from tests.web.test_api import assert_error

NEIGHBOUR = "02212"  # Phường Nông Tiến, same province
EVENING = [["19:00", "21:00"]]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def manifest(client, token) -> dict:
    response = client.get("/kiosk/manifest", headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def version_of(kiosk_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Kiosk, kiosk_id).manifest_version


def test_editor_builds_a_draft_of_notices_and_media_and_sees_its_loop_length(client, tokens):
    notice = publish(client, tokens, duration_s=20)
    picture = upload_picture(client, tokens["editor"])

    created = create_playlist(client, tokens["editor"], [
        {"media_id": picture["id"], "duration_s": 15, "caption": "Hướng dẫn cài VNeID"},
        {"notice_id": notice["id"]},
    ])

    assert created == {"id": 1, "version": 1, "status": "draft"}
    shown = client.get("/api/v1/playlists/1", headers=bearer(tokens["viewer"]))
    assert shown.headers["ETag"] == '"1"'
    body = shown.get_json()
    assert [(i["kind"], i["title"], i["seconds"]) for i in body["items"]] == [
        ("image", "Hướng dẫn cài VNeID", 15.0), ("notice", "Lịch tiếp công dân tháng 12", 20.0)]
    assert body["items"][0]["thumbnail_url"].startswith("/media/")
    assert body["loop_s"] == 35.0
    assert body["targets"] == {"units": [COMMUNE], "groups": [], "kiosks": []}, "no target: its own unit"
    assert body["mode"] == "mixed" and body["priority"] == 0


def test_the_playlist_calls_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/playlists", "/api/v1/playlists/{playlist_id}", "/api/v1/playlists/{playlist_id}/submit",
                 "/api/v1/playlists/{playlist_id}/approve", "/api/v1/playlists/{playlist_id}/withdraw"):
        assert path in paths, path
    assert "patch" in paths["/api/v1/playlists/{playlist_id}"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"mode": "broadcast"}, "mode"),
        ({"priority": 500}, "priority"),
        ({"items": [{"notice_id": 1, "media_id": 1}]}, "items"),
        ({"items": [{}]}, "items"),
        ({"items": [{"notice_id": 999}]}, "items"),
        ({"items": [{"media_id": 999}]}, "items"),
        ({"items": [{"media_id": 1, "duration_s": 0}]}, "items"),
        ({"hours": [["19:00", "19:00"]]}, "hours"),
        ({"starts_at": "2026-12-10T08:00", "ends_at": "2026-12-01T08:00"}, "ends_at"),
        ({"targets": {"kiosks": [999]}}, "targets"),
        ({"colour": "đỏ"}, "colour"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(client, tokens, changes, field):
    response = client.post("/api/v1/playlists", json={**playlist_body([]), **changes}, headers=bearer(tokens["editor"]))

    error = assert_error(response, 422)
    assert field in error["fields"], error
    assert count(Playlist) == 0 and count(PlaylistRevision) == 0


def test_a_notice_item_plays_as_itself_and_must_be_published(client, tokens):
    draft = create(client, tokens["editor"])
    published = publish(client, tokens, title="Giờ làm việc bộ phận một cửa")

    unpublished = client.post("/api/v1/playlists", json=playlist_body([{"notice_id": draft["id"]}]),
                              headers=bearer(tokens["editor"]))
    timed = client.post("/api/v1/playlists", json=playlist_body([{"notice_id": published["id"], "duration_s": 9}]),
                        headers=bearer(tokens["editor"]))

    assert "chưa được phát hành" in assert_error(unpublished, 422)["fields"]["items"]
    assert "chỉ dùng cho tệp media" in assert_error(timed, 422)["fields"]["items"]
    assert count(Playlist) == 0


def test_another_communes_notice_cannot_be_put_in_a_playlist(client, tokens):
    theirs = publish(client, tokens, author="other_admin", approver="national", unit_code=OTHER_COMMUNE)

    response = client.post("/api/v1/playlists", json=playlist_body([{"notice_id": theirs["id"]}]),
                           headers=bearer(tokens["editor"]))

    assert "phạm vi" in assert_error(response, 422)["fields"]["items"]


def test_edits_need_the_version_being_edited(client, tokens):
    picture = upload_picture(client, tokens["editor"])
    create_playlist(client, tokens["editor"], [{"media_id": picture["id"]}])

    missing = client.patch("/api/v1/playlists/1", json={"name": "Mới"}, headers=bearer(tokens["editor"]))
    stale = client.patch("/api/v1/playlists/1", json={"name": "Mới"},
                         headers={**bearer(tokens["editor"]), "If-Match": '"7"'})
    done = client.patch("/api/v1/playlists/1", json={"name": "Chương trình phim tối Chủ nhật"},
                        headers={**bearer(tokens["editor"]), "If-Match": '"1"'})

    assert_error(missing, 428)
    assert_error(stale, 412)
    assert done.status_code == 200 and done.headers["ETag"] == '"2"'
    assert done.get_json()["name"] == "Chương trình phim tối Chủ nhật"


def test_approval_publishes_to_the_targeted_screens_only_and_is_audited(client, tokens):
    here, here_token = kiosks.provision_kiosk("Nhà văn hóa tổ 5", COMMUNE, [], actor="test")
    there, _ = kiosks.provision_kiosk("Nông Tiến", NEIGHBOUR, [], actor="test")
    picture = upload_picture(client, tokens["editor"])
    notice = publish(client, tokens, title="Giờ làm việc bộ phận một cửa")
    before_here, before_there = version_of(here.id), version_of(there.id)

    playlist = publish_playlist(client, tokens, [{"notice_id": notice["id"]}, {"media_id": picture["id"]}],
                                mode="exclusive", priority=3, hours=EVENING)

    assert playlist["status"] == "published" and playlist["approved_by"] == "duyet@example.vn"
    assert version_of(here.id) > before_here
    assert version_of(there.id) == before_there, "a screen the playlist does not reach is left alone"
    shown = manifest(client, here_token)
    [entry] = shown["playlists"]
    assert entry["id"] == f"p{playlist['id']}" and entry["mode"] == "exclusive" and entry["priority"] == 3
    assert entry["rules"]["hours"] == EVENING
    assert entry["entries"] == [{"notice": f"n{notice['id']}"},
                                {"id": f"p{playlist['id']}.1", "duration_s": 10.0}]
    [media_item] = entry["items"]
    assert media_item["play_item"] == f"m{picture['id']}"
    assert media_item["media"][0]["sha256"] == picture["sha256"]
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "playlist")))
    assert actions == {"playlist.create", "playlist.submit", "playlist.approve"}


def test_the_author_cannot_approve_their_own_playlist(client, tokens, officers):
    picture = upload_picture(client, tokens["commune_admin"])
    created = create_playlist(client, tokens["commune_admin"], [{"media_id": picture["id"]}])
    client.post(f"/api/v1/playlists/{created['id']}/submit", headers=bearer(tokens["commune_admin"]))

    response = client.post(f"/api/v1/playlists/{created['id']}/approve", headers=bearer(tokens["commune_admin"]))

    assert_error(response, 403, "self_approval")
    assert client.get(f"/api/v1/playlists/{created['id']}", headers=bearer(tokens["viewer"])).get_json()[
        "status"] == "submitted"


def test_an_empty_playlist_cannot_be_submitted(client, tokens):
    created = create_playlist(client, tokens["editor"], [])

    response = client.post(f"/api/v1/playlists/{created['id']}/submit", headers=bearer(tokens["editor"]))

    assert "items" in assert_error(response, 422)["fields"]


def test_a_second_exclusive_playlist_overlapping_on_a_screen_is_refused_naming_the_clash(client, tokens):
    kiosks.provision_kiosk("Nhà văn hóa tổ 5", COMMUNE, [], actor="test")
    picture = upload_picture(client, tokens["editor"])
    publish_playlist(client, tokens, [{"media_id": picture["id"]}], name="Phim tài liệu buổi tối",
                     mode="exclusive", hours=EVENING)
    second = create_playlist(client, tokens["editor"], [{"media_id": picture["id"]}], name="Ca nhạc cuối tuần",
                             mode="exclusive", hours=[["20:00", "22:00"]])

    response = client.post(f"/api/v1/playlists/{second['id']}/submit", headers=bearer(tokens["editor"]))

    error = assert_error(response, 409, "exclusive_clash")
    assert "Phim tài liệu buổi tối" in error["message"] and "Nhà văn hóa tổ 5" in error["message"]
    assert "20:00" in error["message"]
    assert client.get(f"/api/v1/playlists/{second['id']}", headers=bearer(tokens["viewer"])).get_json()[
        "status"] == "draft"


def test_exclusive_playlists_at_different_hours_or_on_different_screens_do_not_clash(client, tokens):
    kiosks.provision_kiosk("Nhà văn hóa tổ 5", COMMUNE, ["Nhà văn hóa"], actor="test")
    kiosks.provision_kiosk("Chợ phường", COMMUNE, ["Chợ"], actor="test")
    picture = upload_picture(client, tokens["editor"])
    publish_playlist(client, tokens, [{"media_id": picture["id"]}], mode="exclusive", hours=EVENING,
                     targets={"groups": ["Nhà văn hóa"]})

    publish_playlist(client, tokens, [{"media_id": picture["id"]}], mode="exclusive", hours=[["21:00", "22:00"]],
                     targets={"groups": ["Nhà văn hóa"]})
    publish_playlist(client, tokens, [{"media_id": picture["id"]}], mode="exclusive", hours=EVENING,
                     targets={"groups": ["Chợ"]})
    publish_playlist(client, tokens, [{"media_id": picture["id"]}], mode="mixed", hours=EVENING)


def test_withdrawing_takes_the_playlist_off_its_screens(client, tokens):
    kiosk, token = kiosks.provision_kiosk("Nhà văn hóa tổ 5", COMMUNE, [], actor="test")
    picture = upload_picture(client, tokens["editor"])
    playlist = publish_playlist(client, tokens, [{"media_id": picture["id"]}])
    before = version_of(kiosk.id)

    response = client.post(f"/api/v1/playlists/{playlist['id']}/withdraw", headers=bearer(tokens["approver"]))

    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert version_of(kiosk.id) > before
    assert manifest(client, token)["playlists"] == []


def test_a_notice_withdrawn_from_under_a_playlist_leaves_the_playlists_screens(client, tokens):
    kiosk, token = kiosks.provision_kiosk("Chợ phường", COMMUNE, ["Chợ"], actor="test")
    # The notice itself targets another screen: it reaches the market only through the playlist.
    other, _ = kiosks.provision_kiosk("Một cửa", COMMUNE, ["Trụ sở"], actor="test")
    notice = publish(client, tokens, title="Lịch phiên chợ cuối tuần", targets={"kiosks": [other.id]})
    publish_playlist(client, tokens, [{"notice_id": notice["id"]}], targets={"kiosks": [kiosk.id]})
    [brought] = manifest(client, token)["items"]
    assert brought["notice_id"] == notice["id"] and brought["playlist_only"] is True
    before = version_of(kiosk.id)

    client.post(f"/api/v1/notices/{notice['id']}/withdraw", headers=bearer(tokens["approver"]))

    assert version_of(kiosk.id) > before, "the playlist's screen hears of it"
    assert manifest(client, token)["items"] == []


def test_a_playlist_of_another_unit_is_not_found(client, tokens):
    picture = upload_picture(client, tokens["editor"])
    created = create_playlist(client, tokens["editor"], [{"media_id": picture["id"]}])

    response = client.get(f"/api/v1/playlists/{created['id']}", headers=bearer(tokens["other_admin"]))

    assert_error(response, 404)


def test_media_in_a_playlist_cannot_be_deleted(client, tokens):
    picture = upload_picture(client, tokens["editor"])
    create_playlist(client, tokens["editor"], [{"media_id": picture["id"]}], name="Chiếu phim tối thứ Bảy")

    response = client.delete(f"/api/v1/media/{picture['id']}", headers=bearer(tokens["editor"]))

    error = assert_error(response, 409, "media_in_use")
    assert "Chiếu phim tối thứ Bảy" in error["message"]


def test_an_ended_playlist_is_retired_from_its_screens_once(client, tokens):
    from datetime import timedelta

    from kiosk_server.models.base import utcnow
    from kiosk_server.services.content import playlists as playlist_service

    kiosk, token = kiosks.provision_kiosk("Nhà văn hóa tổ 5", COMMUNE, [], actor="test")
    picture = upload_picture(client, tokens["editor"])
    ends = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    playlist = publish_playlist(client, tokens, [{"media_id": picture["id"]}], ends_at=ends.isoformat())
    before = version_of(kiosk.id)

    assert playlist_service.expire_due(now=ends - timedelta(seconds=1)) == []
    assert playlist_service.expire_due(now=ends) == [playlist["id"]]
    assert playlist_service.expire_due(now=ends) == [], "claimed once"

    assert version_of(kiosk.id) > before
    shown = client.get(f"/api/v1/playlists/{playlist['id']}", headers=bearer(tokens["viewer"])).get_json()
    assert shown["status"] == "expired" and shown["published_version"] is None
    assert manifest(client, token)["playlists"] == []


def test_the_list_holds_the_playlists_in_scope_filtered_by_status(client, tokens):
    picture = upload_picture(client, tokens["editor"])
    draft = create_playlist(client, tokens["editor"], [{"media_id": picture["id"]}], name="Bản nháp")
    live = publish_playlist(client, tokens, [{"media_id": picture["id"]}], name="Đang phát")

    everything = client.get("/api/v1/playlists", headers=bearer(tokens["viewer"])).get_json()
    published = client.get("/api/v1/playlists?status=published", headers=bearer(tokens["viewer"])).get_json()
    elsewhere = client.get("/api/v1/playlists", headers=bearer(tokens["other_admin"])).get_json()

    assert {p["id"] for p in everything} == {draft["id"], live["id"]}
    assert [p["name"] for p in published] == ["Đang phát"]
    assert elsewhere == [], "another province's officer sees none of them"


def test_a_commune_approver_cannot_publish_or_withdraw_a_playlist_beyond_the_commune(client, tokens):
    """As for notices: approving or withdrawing needs scope over every target, not only the playlist's unit."""
    from kiosk_server.services.core.tokens import create_token
    from kiosk_server.services.core.users import create_user
    from tests.conftest import PROVINCE

    province_editor = create_token(create_user("bientap.tinh@example.vn", "password-123", "editor", PROVINCE,
                                               actor="test"), "test")[1]
    province_approver = create_token(create_user("duyet.tinh@example.vn", "password-123", "approver", PROVINCE,
                                                 actor="test"), "test")[1]
    there, _ = kiosks.provision_kiosk("Nông Tiến", NEIGHBOUR, [], actor="test")
    picture = upload_picture(client, province_editor)
    created = create_playlist(client, province_editor, [{"media_id": picture["id"]}],
                              targets={"units": [COMMUNE, NEIGHBOUR]})
    assert client.post(f"/api/v1/playlists/{created['id']}/submit", headers=bearer(province_editor)).status_code == 200
    before = version_of(there.id)

    error = assert_error(client.post(f"/api/v1/playlists/{created['id']}/approve", headers=bearer(tokens["approver"])),
                         403, "out_of_scope")
    assert f"mã {NEIGHBOUR}" in error["message"] and "targets" in error["fields"]
    assert client.get(f"/api/v1/playlists/{created['id']}", headers=bearer(tokens["viewer"])).get_json()[
        "status"] == "submitted"
    assert version_of(there.id) == before, "nothing reached the neighbour's screen"

    assert client.post(f"/api/v1/playlists/{created['id']}/approve",
                       headers=bearer(province_approver)).status_code == 200
    published = version_of(there.id)
    assert_error(client.post(f"/api/v1/playlists/{created['id']}/withdraw", headers=bearer(tokens["approver"])),
                 403, "out_of_scope")
    assert version_of(there.id) == published, "the province's playlist stays on the neighbour's screen"
