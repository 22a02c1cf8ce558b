"""The editors show a record by id only through the scoped lookup (issue 20, item 5).

Ids are sequential, so an id typed into the playlist editor (`items-N-ref`, `add=notice:ID`) or the notice
editor's pickers (media, groups, screens) must not label another unit's record with its title, file name,
/media/ address or name: a foreign id reads as "#id" and nothing else, exactly as a missing one. The same
holds where a playlist's items are described (its page, the API) and in the editors' preview manifests.
"""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, KioskGroup, Media, Notice, NoticeRevision, Playlist, PlaylistRevision
from kiosk_server.services.content import media as media_service
from kiosk_server.services.content import notices, playlists
from kiosk_server.services.read_models import lookup
from kiosk_server.services.screens import kiosks
from tests import media_factory
from tests.conftest import COMMUNE, OTHER_COMMUNE, bearer
from tests.notice_helpers import notice_body
from tests.web.test_notice_pages import editor_form as notice_editor_form
from tests.web.test_notice_pages import replace
from tests.web.test_playlist_pages import editor_form, titles_in_order

MISSING = 987654


@pytest.fixture
def foreign(app, officers):
    """Records of a commune of Cao Bằng, with names a leak would show: a draft notice, a file, a screen, a group."""
    notice = notices.create_notice(notice_body(unit_code=OTHER_COMMUNE, title="Dự thảo nội bộ của Cao Bằng"),
                                   officers["other_admin"])
    upload = FileStorage(io.BytesIO(media_factory.png()), "ho-so-noi-bo-cao-bang.png")
    media = media_service.ingest_upload(upload, OTHER_COMMUNE, officers["other_admin"])
    kiosk, _ = kiosks.provision_kiosk("Trạm thông tin Hà Quảng", OTHER_COMMUNE, ["Nhóm chợ Hà Quảng"], actor="test")
    group = db.session.scalar(select(KioskGroup).where(KioskGroup.unit_code == OTHER_COMMUNE))
    return SimpleNamespace(notice=notice.id, media=media.id, kiosk=kiosk.id, group=group.id,
                           secrets=("Dự thảo nội bộ", "ho-so-noi-bo-cao-bang", media.sha256, media.poster_sha256,
                                    "Trạm thông tin Hà Quảng", "Nhóm chợ Hà Quảng"))


def shows_none_of(foreign, text: str) -> bool:
    return not [secret for secret in foreign.secrets if secret and secret in text]


def stored() -> tuple:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Notice, NoticeRevision, Playlist, PlaylistRevision, AuditEntry))


# --- the playlist editor ----------------------------------------------------------------------------------

def test_adding_another_units_notice_or_file_to_a_playlist_shows_only_its_id(client, auth, officers, foreign):
    auth.login("bientap@example.vn")
    path = "/admin/playlists/new"
    form = editor_form(client, path)
    before = stored()

    first = client.post(path, data=replace(form, add=f"notice:{foreign.notice}"))
    second = client.post(path, data=replace(editor_form(client, path, first.get_data(as_text=True)),
                                            add=f"media:{foreign.media}"))

    assert first.status_code == 200 and second.status_code == 200
    page = second.get_data(as_text=True)
    assert titles_in_order(page) == [f"#{foreign.notice}", f"#{foreign.media}"]
    assert shows_none_of(foreign, page)
    assert stored() == before


def test_posting_foreign_item_ids_names_neither_in_the_rows_nor_in_the_refusal(client, auth, officers, foreign):
    auth.login("bientap@example.vn")
    path = "/admin/playlists/new"
    before = stored()

    response = client.post(path, data=replace(editor_form(client, path), name="Vòng buổi tối", action="save", **{
        "items-0-kind": "notice", "items-0-ref": str(foreign.notice),
        "items-1-kind": "media", "items-1-ref": str(foreign.media)}))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert titles_in_order(page) == [f"#{foreign.notice}", f"#{foreign.media}"]
    assert shows_none_of(foreign, page)
    assert stored() == before


def test_a_missing_and_a_foreign_item_read_alike(client, auth, officers, foreign):
    auth.login("bientap@example.vn")
    path = "/admin/playlists/new"

    def row(ref: int) -> str:
        page = client.post(path, data=replace(editor_form(client, path), add=f"notice:{ref}")).get_data(as_text=True)
        [item] = [li for li in page.split('<li class="pl-item')[1:]]
        return item.split("</li>")[0].replace(str(ref), "ID")

    assert row(foreign.notice) == row(MISSING)


# --- the notice editor's pickers --------------------------------------------------------------------------

def test_the_notice_editors_pickers_label_foreign_ids_by_id_only(client, auth, officers, foreign):
    auth.login("bientap@example.vn")
    path = "/admin/notices/new"
    before = stored()

    response = client.post(path, data=replace(
        notice_editor_form(client, path), title="Thông báo", action="preview", media_ids=[str(foreign.media)],
        target_groups=[str(foreign.group)], target_kiosks=[str(foreign.kiosk)]))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert shows_none_of(foreign, page)
    for ref in (foreign.media, foreign.group, foreign.kiosk):
        assert f"#{ref}" in page
    assert f'value="{foreign.media}" checked' in page, "still chosen, so saving names it for the service to refuse"
    assert stored() == before


def test_saving_foreign_picks_is_refused_and_labels_them_by_id_only(client, auth, officers, foreign):
    auth.login("bientap@example.vn")
    path = "/admin/notices/new"
    before = stored()

    response = client.post(path, data=replace(
        notice_editor_form(client, path), title="Thông báo", action="save", media_ids=[str(foreign.media)],
        target_kiosks=[str(foreign.kiosk)]))

    assert response.status_code == 422
    assert shows_none_of(foreign, response.get_data(as_text=True))
    assert stored() == before


# --- where a playlist's items are described: its page and the API --------------------------------------------

@pytest.fixture
def mixed_playlist(client, officers, tokens, foreign):
    """A playlist of the commune that a national officer filled with Cao Bằng's published notice and file."""
    notice = db.session.get(Notice, foreign.notice)
    notices.submit(notice, officers["other_admin"])
    notices.approve(notice, officers["national"])
    body = {"name": "Chương trình liên tỉnh", "unit_code": COMMUNE, "mode": "mixed",
            "items": [{"notice_id": foreign.notice}, {"media_id": foreign.media}]}
    response = client.post("/api/v1/playlists", json=body, headers=bearer(tokens["national"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_the_api_describes_items_the_caller_cannot_open_by_id_only(client, tokens, foreign, mixed_playlist):
    shown = client.get(f"/api/v1/playlists/{mixed_playlist}", headers=bearer(tokens["viewer"]))

    assert shown.status_code == 200
    assert shown.get_json()["items"] == [
        {"notice_id": foreign.notice, "kind": "notice", "title": f"#{foreign.notice}", "status": "missing",
         "plays": False, "seconds": None, "thumbnail_url": None},
        {"media_id": foreign.media, "duration_s": None, "caption": "", "kind": "missing",
         "title": f"#{foreign.media}", "plays": False, "seconds": None, "thumbnail_url": None},
    ]
    assert shows_none_of(foreign, json.dumps(shown.get_json(), ensure_ascii=False))
    national = client.get(f"/api/v1/playlists/{mixed_playlist}", headers=bearer(tokens["national"])).get_json()
    assert national["items"][0]["title"] == "Dự thảo nội bộ của Cao Bằng", "who may open it reads it"


def test_the_playlists_page_and_editor_show_foreign_items_by_id_only(client, auth, officers, foreign, mixed_playlist):
    auth.login("bientap@example.vn")

    for path in (f"/admin/playlists/{mixed_playlist}", f"/admin/playlists/{mixed_playlist}/edit", "/admin/playlists"):
        response = client.get(path)
        assert response.status_code == 200
        assert shows_none_of(foreign, response.get_data(as_text=True)), path


# --- the editors' preview manifests ---------------------------------------------------------------------------

def test_the_previews_play_nothing_of_another_unit(client, auth, officers, foreign, mixed_playlist):
    auth.login("bientap@example.vn")
    playlist_form = replace(editor_form(client, "/admin/playlists/new"), name="Thử", **{
        "items-0-kind": "notice", "items-0-ref": str(foreign.notice),
        "items-1-kind": "media", "items-1-ref": str(foreign.media)})
    notice_form = replace(notice_editor_form(client, "/admin/notices/new"), title="Thử",
                          media_ids=[str(foreign.media)])

    played = client.post("/admin/playlists/preview-manifest", data=playlist_form).get_json()
    shown = client.post("/admin/notices/preview-manifest", data=notice_form).get_json()

    assert played["items"] == [] and played["playlists"][0]["entries"] == []
    assert shown["items"][0]["media"] == []
    for manifest in (played, shown):
        assert shows_none_of(foreign, json.dumps(manifest, ensure_ascii=False))


# --- the lookup's bulk form ------------------------------------------------------------------------------------

def test_visible_rows_leaves_out_missing_and_foreign_ids_alike(officers, foreign):
    upload = FileStorage(io.BytesIO(media_factory.png(80, 40)), "anh-cua-xa.png")
    mine = media_service.ingest_upload(upload, COMMUNE, officers["editor"])

    seen = lookup.visible_rows(Media, [mine.id, foreign.media, MISSING, "x", 2**70], officers["editor"])

    assert list(seen) == [mine.id]
    assert lookup.labels(Media, [mine.id, foreign.media], officers["editor"], lambda m: m.original_name) == {
        str(mine.id): "anh-cua-xa.png", str(foreign.media): f"#{foreign.media}"}
    assert playlists.describe_items([{"notice_id": foreign.notice}], {}, {})[0]["title"] == f"#{foreign.notice}"
