"""The editor's screen preview: the manifest route behind it and the player page it frames."""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk_server.domain import schedule
from kiosk_server.extensions import db
from kiosk_server.models import QrCode
from tests.conftest import COMMUNE
from tests.notice_helpers import create
from tests.web.test_notice_pages import editor_form, notice_count, replace

PREVIEW = "/admin/notices/preview-manifest"


def draft(client, path: str = "/admin/notices/new", **values) -> dict:
    return replace(editor_form(client, path), **values)


def test_preview_manifest_holds_just_the_draft_as_a_screen_gets_it_and_saves_nothing(client, auth, officers):
    auth.login("bientap@example.vn")
    form = draft(client, title="Cắt điện khu phố 3", body='<p onclick="x()">Từ 8 giờ</p><script>alert(1)</script>',
                 priority="emergency", qr_url="https://dichvucong.gov.vn", starts_at="01/12/2031 07:30",
                 **{"hours-0-start": "22:00", "hours-0-end": "23:00"})

    response = client.post(PREVIEW, data=form)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    manifest = response.get_json()
    [item] = manifest["items"]
    assert item["title"] == "Cắt điện khu phố 3"
    assert item["body"] == "<p>Từ 8 giờ</p>"
    assert item["priority"] == "emergency"
    assert item["qr_url"] == "https://dichvucong.gov.vn"
    assert item["public_url"] is None, "a notice not yet saved has no public page"
    assert item["rules"] == schedule.rules_to_json(schedule.Rules()), "the preview plays now, whatever the schedule"
    assert manifest["kiosk"]["unit"] == {"code": COMMUNE, "name": "Phường Minh Xuân"}
    assert manifest["alerts"] == [] and manifest["kiosk"]["theme"] == "default"
    assert notice_count() == 0


def test_a_field_still_being_typed_is_left_out_instead_of_refusing_the_preview(client, auth, officers):
    auth.login("bientap@example.vn")
    form = draft(client, title="", qr_url="htp:/dichvucong", duration_s="abc", ends_at="31/02/2030 07:00",
                 media_ids=["99999"], **{"translations-0-language": "hmn", "translations-0-title": ""})

    [item] = client.post(PREVIEW, data=form).get_json()["items"]

    assert (item["title"], item["qr_url"], item["media"], item["translations"]) == ("", None, [], [])


def test_a_chosen_translation_is_previewed_alone(client, auth, officers):
    auth.login("bientap@example.vn")
    form = draft(client, title="Tiêm phòng", preview_language="hmn", preview_theme="portrait",
                 **{"translations-0-language": "hmn", "translations-0-title": "Txhaj tshuaj",
                    "translations-0-body": "Hnub Rau"})

    manifest = client.post(PREVIEW, data=form).get_json()

    [item] = manifest["items"]
    assert (item["title"], item["body"], item["language"], item["translations"]) == (
        "Txhaj tshuaj", "<p>Hnub Rau</p>", "hmn", [])
    assert manifest["kiosk"]["theme"] == "portrait"


def test_preview_of_a_saved_notice_carries_its_public_page_and_writes_no_qr_link(app, client, auth, officers, tokens):
    created = create(client, tokens["editor"])
    app.config["PUBLIC_URL"] = "https://bangtin.example.vn"
    auth.login("bientap@example.vn")
    path = f"/admin/notices/{created['id']}/edit"
    form = draft(client, path, qr_url="https://dichvucong.gov.vn/thu-tuc")

    [item] = client.post(f"/admin/notices/{created['id']}/preview-manifest", data=form).get_json()["items"]

    assert item["public_url"] == f"https://bangtin.example.vn/n/{created['id']}"
    assert item["qr_url"] == "https://dichvucong.gov.vn/thu-tuc", "the target itself, not a counted /q/ link"
    assert db.session.scalar(select(func.count()).select_from(QrCode)) == 0


def test_preview_manifest_needs_an_editor_the_csrf_token_and_a_notice_in_scope(client, auth, officers, tokens):
    created = create(client, tokens["editor"])
    auth.login("bientap@example.vn")
    form = draft(client, title="Thử")
    without_token = {k: v for k, v in form.items() if k != "csrf_token"}

    assert client.post(PREVIEW, data=without_token).status_code == 400
    auth.logout()
    assert client.post(PREVIEW, data=form).status_code in (302, 401)
    auth.login("xem@example.vn")
    assert client.post(PREVIEW, data={"csrf_token": auth.csrf("/admin/"), "title": "Thử"}).status_code == 403
    auth.logout()
    auth.login("caobang@example.vn")
    outsider = replace(editor_form(client, "/admin/notices/new"), title="Thử")
    assert client.post(f"/admin/notices/{created['id']}/preview-manifest", data=outsider).status_code == 404
    assert client.get(PREVIEW).status_code == 405


def test_the_preview_page_runs_the_preview_wiring_and_only_its_own_site_may_frame_it(client):
    page = client.get("/kiosk/preview?theme=portrait")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert 'src="/kiosk/player/preview.js"' in html and "main.js" not in html
    assert 'data-theme="portrait"' in html
    kiosk = client.get("/kiosk")
    assert "frame-ancestors 'none'" in kiosk.headers["Content-Security-Policy"]
    assert kiosk.headers["X-Frame-Options"] == "DENY"
    with client.get("/kiosk/player/preview.js") as module:
        assert module.status_code == 200


def test_editor_frames_the_preview_with_a_picker_of_every_theme(client, auth, officers):
    auth.login("bientap@example.vn")
    html = client.get("/admin/notices/new").get_data(as_text=True)

    assert 'data-frame-url="/kiosk/preview"' in html
    assert f'data-manifest-url="{PREVIEW}"' in html
    for name, size in (("default", 'data-width="1920" data-height="1080"'),
                       ("portrait", 'data-width="1080" data-height="1920"'), ("high-contrast", "")):
        assert f'<option value="{name}" {size}'.rstrip() in html
