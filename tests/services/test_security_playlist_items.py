"""A playlist's items and clashes as the acting officer may see them (issue 20, items 6 and 7).

Approving a playlist publishes every item in it, so the approver must be able to open each one (the scoped
lookup's rule) and a notice item must be on screens: otherwise the approval is refused naming the item by
its position, and nothing changes. The clash of two exclusive playlists names the other playlist, and its
screen, only to an officer who may open them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kiosk_server.extensions import db, socketio
from kiosk_server.models import AuditEntry, Kiosk, Playlist, PublishEvent
from kiosk_server.models.playlists import playlist_members
from kiosk_server.services.screens import kiosks
from tests.conftest import COMMUNE, PROVINCE, bearer
from tests.notice_helpers import publish
from tests.playlist_helpers import create_playlist, upload_picture
from tests.web.test_api import assert_error

NEIGHBOUR = "02212"  # Phường Nông Tiến, a sibling of the commune in Tuyên Quang
EVENING = [["19:00", "21:00"]]


def listening_screen(app, name: str, unit_code: str):
    kiosk, token = kiosks.provision_kiosk(name, unit_code, [], actor="test")
    client = socketio.test_client(app, namespace="/kiosk", auth={"token": token})
    client.get_received("/kiosk")
    return kiosk, client


@pytest.fixture
def screen(app):
    return listening_screen(app, "Bộ phận một cửa", COMMUNE)


def snapshot() -> tuple:
    db.session.expire_all()
    rows = tuple(db.session.execute(select(
        Playlist.id, Playlist.status, Playlist.version, Playlist.published_version, Playlist.approved_by_id)
        .order_by(Playlist.id)).all())
    members = tuple(db.session.execute(select(playlist_members).order_by(*playlist_members.c)).all())
    versions = tuple(db.session.execute(select(Kiosk.id, Kiosk.manifest_version).order_by(Kiosk.id)).all())
    counts = tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (PublishEvent, AuditEntry))
    return rows, members, versions, counts


def no_manifest(screen_client) -> bool:
    return [e for e in screen_client.get_received("/kiosk") if e["name"] in ("manifest", "alert_cancel")] == []


def submitted_by_province(client, province_people, items: list[dict], **changes) -> int:
    """A playlist of the commune that the province editor built with `items` and sent for approval."""
    created = create_playlist(client, province_people["province_editor"], items, **changes)
    response = client.post(f"/api/v1/playlists/{created['id']}/submit", headers=bearer(province_people["province_editor"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    return created["id"]


def neighbours_notice(client, province_people) -> int:
    return publish(client, province_people, author="province_editor", approver="province_approver", unit_code=NEIGHBOUR,
                   title="Lịch tiêm chủng của phường Nông Tiến")["id"]


def foreign_item(client, province_people, kind: str) -> dict:
    """An item the commune's approver cannot open: a sibling commune's notice, or the province's picture."""
    if kind == "notice":
        return {"notice_id": neighbours_notice(client, province_people)}
    return {"media_id": upload_picture(client, province_people["province_editor"], name="ban-do-tinh.png")["id"]}


# --- 6. approval re-checks every item against the approver -----------------------------------------------

@pytest.mark.parametrize("kind", ["notice", "media"])
def test_an_approver_cannot_publish_an_item_they_cannot_open(client, province_people, screen, kind):
    _, screen_client = screen
    own = upload_picture(client, province_people["editor"])
    hidden = foreign_item(client, province_people, kind)
    playlist_id = submitted_by_province(client, province_people, [{"media_id": own["id"]}, hidden])
    [ref] = hidden.values()
    opened = client.get(f"/api/v1/{'notices' if kind == 'notice' else 'media'}/{ref}",
                        headers=bearer(province_people["approver"]))
    assert opened.status_code == 404, "the approver cannot open the item"
    before = snapshot()

    error = assert_error(client.post(f"/api/v1/playlists/{playlist_id}/approve", headers=bearer(province_people["approver"])),
                         403, "out_of_scope")

    assert error["message"].startswith("Mục 2:") and "items" in error["fields"]
    assert "Nông Tiến" not in error["message"] and "ban-do-tinh" not in error["message"]
    assert snapshot() == before
    assert no_manifest(screen_client)


def test_the_ui_shows_why_the_approval_was_refused(client, auth, province_people, screen):
    _, screen_client = screen
    playlist_id = submitted_by_province(client, province_people, [foreign_item(client, province_people, "notice")])
    auth.login("duyet@example.vn")
    before = snapshot()

    page = client.post(f"/admin/playlists/{playlist_id}/approve",
                       data={"csrf_token": auth.csrf(f"/admin/playlists/{playlist_id}")}, follow_redirects=True)

    text = page.get_data(as_text=True)
    assert "Mục 1:" in text and "phạm vi" in text and "Lịch tiêm chủng" not in text
    assert snapshot() == before
    assert no_manifest(screen_client)


def test_a_notice_item_taken_off_screens_since_is_refused_at_approval(client, province_people, screen):
    _, screen_client = screen
    notice = publish(client, province_people, title="Lịch tiếp công dân tháng 12")
    playlist_id = submitted_by_province(client, province_people, [{"notice_id": notice["id"]}])
    assert client.post(f"/api/v1/notices/{notice['id']}/withdraw", headers=bearer(province_people["approver"])).status_code == 200
    screen_client.get_received("/kiosk")
    before = snapshot()

    error = assert_error(client.post(f"/api/v1/playlists/{playlist_id}/approve", headers=bearer(province_people["approver"])),
                         403, "item_not_published")

    assert error["message"].startswith("Mục 1:") and "Lịch tiếp công dân tháng 12" in error["message"]
    assert snapshot() == before
    assert no_manifest(screen_client)


def test_an_approver_who_sees_every_item_still_publishes_it(client, province_people, screen):
    _, screen_client = screen
    playlist_id = submitted_by_province(client, province_people, [foreign_item(client, province_people, "notice")])

    response = client.post(f"/api/v1/playlists/{playlist_id}/approve", headers=bearer(province_people["province_approver"]))

    assert response.status_code == 200 and response.get_json()["status"] == "published"
    assert not no_manifest(screen_client)


# --- 7. the exclusive clash names only what the caller may open -------------------------------------------

def provinces_exclusive_playlist(client, province_people, **changes) -> int:
    """An exclusive province-wide playlist for the evening, submitted (not approved): hidden from the commune."""
    picture = upload_picture(client, province_people["province_editor"], name="phim-tinh.png")
    return submitted_by_province(client, province_people, [{"media_id": picture["id"]}], name="Phim tài liệu của tỉnh",
                                 unit_code=PROVINCE, mode="exclusive", hours=EVENING, **changes)


def test_a_clash_with_a_playlist_the_caller_cannot_open_does_not_name_it(client, province_people, screen):
    theirs = provinces_exclusive_playlist(client, province_people)
    picture = upload_picture(client, province_people["editor"])
    mine = create_playlist(client, province_people["editor"], [{"media_id": picture["id"]}], name="Ca nhạc cuối tuần",
                           mode="exclusive", hours=[["20:00", "22:00"]])
    before = snapshot()

    error = assert_error(client.post(f"/api/v1/playlists/{mine['id']}/submit", headers=bearer(province_people["editor"])),
                         409, "exclusive_clash")

    assert "Phim tài liệu của tỉnh" not in str(error) and f"số {theirs}" not in error["message"]
    assert "một chương trình độc quyền khác" in error["message"]
    assert "Bộ phận một cửa" in error["message"] and "20:00" in error["message"], "its own screen, and when"
    assert "20:00" in error["fields"]["hours"]
    assert snapshot() == before


def test_a_clash_on_a_screen_the_caller_cannot_open_names_neither(client, app, province_people, screen):
    neighbour, _ = listening_screen(app, "Nhà văn hóa Nông Tiến", NEIGHBOUR)
    provinces_exclusive_playlist(client, province_people)
    picture = upload_picture(client, province_people["province_editor"], name="ca-nhac.png")
    mine = create_playlist(client, province_people["province_editor"], [{"media_id": picture["id"]}], mode="exclusive",
                           hours=EVENING, targets={"kiosks": [neighbour.id]})
    before = snapshot()

    error = assert_error(client.post(f"/api/v1/playlists/{mine['id']}/submit", headers=bearer(province_people["editor"])),
                         409, "exclusive_clash")

    assert "Phim tài liệu của tỉnh" not in str(error) and "Nông Tiến" not in str(error)
    assert "19:00" in error["message"]
    assert snapshot() == before


def test_the_province_still_reads_which_playlist_clashes(client, province_people, screen):
    theirs = provinces_exclusive_playlist(client, province_people)
    picture = upload_picture(client, province_people["editor"])
    mine = create_playlist(client, province_people["editor"], [{"media_id": picture["id"]}], mode="exclusive", hours=EVENING)

    error = assert_error(client.post(f"/api/v1/playlists/{mine['id']}/submit",
                                     headers=bearer(province_people["province_editor"])), 409, "exclusive_clash")

    assert "Phim tài liệu của tỉnh" in error["message"] and f"số {theirs}" in error["message"]
    assert "Bộ phận một cửa" in error["message"]
