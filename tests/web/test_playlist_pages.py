"""Playlists in the officer UI: building the evening programme without scripts, approving it, previewing it."""

from __future__ import annotations

import re

from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import Playlist
from kiosk_server.services.content import playlists
from kiosk_server.services.screens.kiosks import provision_kiosk
from tests.conftest import COMMUNE
from tests.notice_helpers import publish
from tests.playlist_helpers import create_playlist, upload_picture
from tests.web.test_notice_pages import FormReader, flashes, replace


class PlaylistFormReader(FormReader):
    def handle_starttag(self, tag, attrs):
        if tag == "form" and "data-playlist-form" in dict(attrs):
            self.inside = True
            return
        super().handle_starttag(tag, attrs)


def editor_form(client, path: str, page: str | None = None) -> list[tuple[str, str]]:
    reader = PlaylistFormReader()
    reader.feed(page if page is not None else client.get(path).get_data(as_text=True))
    return reader.pairs


def titles_in_order(page: str) -> list[str]:
    return re.findall(r"<strong data-item-title>([^<]+)</strong>", page)


def test_the_navigation_offers_playlists(client, auth, officers):
    auth.login("xem@example.vn")

    page = client.get("/admin/").get_data(as_text=True)

    assert 'href="/admin/playlists"' in page and "Chương trình phát" in page


def test_an_officer_builds_the_evening_programme_without_scripts(client, auth, officers, tokens):
    film = upload_picture(client, tokens["editor"], name="phim-tai-lieu.png")
    poster = upload_picture(client, tokens["editor"], name="ap-phich.png", width=80)
    notice = publish(client, tokens, title="Lịch chiếu phim tháng 12", duration_s=12)
    auth.login("bientap@example.vn")
    path = "/admin/playlists/new"

    page = client.post(path, data=replace(editor_form(client, path), add=f"media:{film['id']}")).get_data(as_text=True)
    page = client.post(path, data=replace(editor_form(client, path, page), add=f"notice:{notice['id']}")).get_data(
        as_text=True)
    page = client.post(path, data=replace(editor_form(client, path, page), add=f"media:{poster['id']}")).get_data(
        as_text=True)
    assert titles_in_order(page) == ["phim-tai-lieu.png", "Lịch chiếu phim tháng 12", "ap-phich.png"]
    page = client.post(path, data=replace(editor_form(client, path, page), move="2:up")).get_data(as_text=True)
    assert titles_in_order(page) == ["phim-tai-lieu.png", "ap-phich.png", "Lịch chiếu phim tháng 12"]
    assert "Mỗi vòng: 32 giây" in page, "two pictures of 10 s and a notice of 12 s"

    response = client.post(path, data=replace(
        editor_form(client, path, page), name="Chương trình phim tối thứ Bảy", mode="exclusive", days=["6"],
        **{"hours-0-start": "19:00", "hours-0-end": "21:00", "items-0-caption": "Phim tài liệu: Điện Biên Phủ",
           "items-0-duration": "40", "action": "submit"}))

    assert response.status_code == 302, flashes(response.get_data(as_text=True))
    playlist = db.session.scalar(select(Playlist))
    content = playlists.head(playlist).content
    assert playlist.status == "submitted"
    assert content["items"] == [
        {"media_id": film["id"], "duration_s": 40.0, "caption": "Phim tài liệu: Điện Biên Phủ"},
        {"media_id": poster["id"], "duration_s": None, "caption": ""},
        {"notice_id": notice["id"]},
    ]
    assert content["mode"] == "exclusive"
    assert content["rules"]["days"] == [6] and content["rules"]["hours"] == [["19:00", "21:00"]]
    detail = client.get(f"/admin/playlists/{playlist.id}").get_data(as_text=True)
    assert "Mỗi vòng: 62 giây" in detail
    assert "Bạn không thể duyệt chương trình của chính mình." not in detail, "an editor is offered no approval"


def test_a_second_officer_approves_it_and_the_author_cannot(client, auth, officers, tokens):
    picture = upload_picture(client, tokens["commune_admin"])
    created = create_playlist(client, tokens["commune_admin"], [{"media_id": picture["id"]}])
    playlist = db.session.get(Playlist, created["id"])
    playlists.submit(playlist, officers["commune_admin"])

    auth.login("xa@example.vn")
    own = client.get(f"/admin/playlists/{created['id']}").get_data(as_text=True)
    assert "Bạn không thể duyệt chương trình của chính mình." in own
    auth.logout()
    auth.login("duyet@example.vn")
    response = client.post(f"/admin/playlists/{created['id']}/approve", data={"csrf_token": auth.csrf("/admin/")},
                           follow_redirects=True)

    assert "các màn hình được cập nhật ngay" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Playlist, created["id"]).status == "published"


def test_a_bad_field_is_shown_beside_it_and_nothing_is_saved(client, auth, officers):
    auth.login("bientap@example.vn")
    path = "/admin/playlists/new"

    response = client.post(path, data=replace(editor_form(client, path), name="", action="save"))

    assert response.status_code == 422
    assert "Hãy đặt tên chương trình phát." in response.get_data(as_text=True)
    assert db.session.scalar(select(Playlist)) is None


def test_the_preview_plays_the_draft_in_its_order_now(client, auth, officers, tokens):
    picture = upload_picture(client, tokens["editor"])
    notice = publish(client, tokens, title="Giờ làm việc bộ phận một cửa", hours=[["07:00", "07:01"]])
    auth.login("bientap@example.vn")
    form = replace(editor_form(client, "/admin/playlists/new"), name="Vòng buổi sáng", **{
        "items-0-kind": "notice", "items-0-ref": str(notice["id"]),
        "items-1-kind": "media", "items-1-ref": str(picture["id"]), "items-1-caption": "Hướng dẫn cài VNeID"})

    manifest = client.post("/admin/playlists/preview-manifest", data=form).get_json()

    [entry] = manifest["playlists"]
    assert entry["mode"] == "exclusive" and entry["rules"]["hours"] == [], "it plays now, whatever its schedule"
    assert entry["entries"] == [{"notice": f"n{notice['id']}"}, {"id": "p0.1", "duration_s": 10.0}]
    assert entry["items"][0]["title"] == "Hướng dẫn cài VNeID"
    assert manifest["items"][0]["rules"]["hours"] == [], "the notice too plays now"


def test_a_screens_day_shows_its_playlists_as_blocks(client, auth, officers, tokens):
    kiosk, _ = provision_kiosk("Nhà văn hóa tổ 5", COMMUNE, [], actor="test")
    picture = upload_picture(client, tokens["editor"])
    from tests.playlist_helpers import publish_playlist

    publish_playlist(client, tokens, [{"media_id": picture["id"]}], name="Chương trình phim buổi tối",
                     mode="exclusive", hours=[["19:00", "21:00"]])
    auth.login("xem@example.vn")

    page = client.get(f"/admin/kiosks/{kiosk.id}/timeline").get_data(as_text=True)

    assert "Chương trình phim buổi tối" in page
    assert "19:00–21:00" in page
    assert "Độc quyền màn hình" in page


def test_a_submitted_playlist_waits_in_the_approvers_queue(client, auth, officers, tokens):
    picture = upload_picture(client, tokens["editor"])
    created = create_playlist(client, tokens["editor"], [{"media_id": picture["id"]}], name="Vòng ngày chợ phiên")
    playlists.submit(db.session.get(Playlist, created["id"]), officers["editor"])
    auth.login("duyet@example.vn")

    page = client.get("/admin/approvals").get_data(as_text=True)

    assert "Vòng ngày chợ phiên" in page and f"/admin/playlists/{created['id']}" in page
    assert re.search(r'data-testid="approval-count"><span class="visually-hidden">\(</span>1<', page)


def test_the_list_shows_each_playlist_with_its_mode_length_and_status(client, auth, officers, tokens):
    picture = upload_picture(client, tokens["editor"])
    create_playlist(client, tokens["editor"], [{"media_id": picture["id"], "duration_s": 25}],
                    name="Vòng ngày chợ phiên", mode="exclusive", days=[6, 7], hours=[["06:00", "11:00"]])
    auth.login("xem@example.vn")

    page = client.get("/admin/playlists").get_data(as_text=True)

    assert "Vòng ngày chợ phiên" in page and "Độc quyền màn hình" in page
    assert "1 mục · 25 giây" in page and "Bản nháp" in page
    assert "Thứ Bảy, Chủ nhật; 06:00–11:00" in page
