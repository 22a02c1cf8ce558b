"""The media library over HTTP: the API, the public file URL and the officer page."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Media, Notice
from kiosk_server.models.notices import notice_media
from tests import media_factory as mf
from tests.conftest import COMMUNE, OTHER_COMMUNE, bearer, make_app
from tests.web.test_api import assert_error


def post_file(client, token: str, data: bytes, name: str = "tep.bin", **form):
    return client.post("/api/v1/media", data={"file": (io.BytesIO(data), name), **form},
                       headers=bearer(token), content_type="multipart/form-data")


def fetch(client, url: str, method: str = "GET", **kwargs):
    """Request a served file and close it at once (buffered), as a browser would."""
    return client.open(url, method=method, buffered=True, **kwargs)


def stored_files(app) -> list[Path]:
    root = Path(app.config["MEDIA_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def media_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Media))


# --- upload -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("make", "kind", "mime", "size", "duration"),
    [
        (mf.jpeg, "image", "image/jpeg", (64, 48), None),
        (mf.png, "image", "image/png", (64, 48), None),
        (mf.webp, "image", "image/webp", (64, 48), None),
        (mf.gif, "image", "image/gif", (64, 48), None),
        (mf.mp4_h264_aac, "video", "video/mp4", (64, 48), 1.0),
        (mf.webm_vp9_opus, "video", "video/webm", (64, 48), 1.0),
        (mf.pdf, "pdf", "application/pdf", (1280, 1920), None),
    ],
    ids=["jpeg", "png", "webp", "gif", "mp4", "webm", "pdf"],
)
def test_upload_round_trips_each_accepted_type(client, tokens, make, kind, mime, size, duration):
    response = post_file(client, tokens["editor"], make(), "tep-tai-len")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert {"id", "sha256", "kind", "mime", "width", "height", "duration_s", "url"} <= set(body)
    assert (body["kind"], body["mime"], (body["width"], body["height"])) == (kind, mime, size)
    assert body["duration_s"] == (pytest.approx(duration, abs=0.05) if duration else None)
    assert body["url"] == f"/media/{body['sha256']}"
    served = fetch(client, body["url"])
    assert served.status_code == 200 and served.mimetype == mime
    assert hashlib.sha256(served.data).hexdigest() == body["sha256"]
    again = client.get(f"/api/v1/media/{body['id']}", headers=bearer(tokens["viewer"]))
    assert again.get_json() == body


def test_same_file_twice_is_one_row_and_one_object(app, client, tokens):
    data = mf.jpeg(gps=True)
    first = post_file(client, tokens["editor"], data, "a.jpg").get_json()
    files = stored_files(app)
    second = post_file(client, tokens["editor"], data, "b.jpg")
    assert second.status_code == 201 and second.get_json()["id"] == first["id"]
    assert media_rows() == 1 and stored_files(app) == files


def test_uploaded_photo_has_no_gps(client, tokens):
    from PIL import Image

    body = post_file(client, tokens["editor"], mf.jpeg(gps=True), "IMG_0001.jpg").get_json()
    with Image.open(io.BytesIO(fetch(client, body["url"]).data)) as image:
        assert mf.GPS_IFD not in image.getexif()


HOSTILE = {
    "random bytes named .mp4": (mf.random_bytes, "video.mp4"),
    "ELF executable named .jpg": (mf.elf_executable, "anh.jpg"),
    "Windows executable named .jpg": (mf.windows_executable, "anh.jpg"),
    "truncated JPEG": (mf.truncated_jpeg, "anh.jpg"),
    "pixel bomb": (mf.pixel_bomb, "bom.png"),
    "empty file": (lambda: b"", "trong.jpg"),
    "MPEG-4 Part 2 video": (mf.mp4_mpeg4_part2, "cu.mp4"),
}


def test_hostile_uploads_are_4xx_in_the_contract_shape_and_leave_nothing(app, client, tokens):
    post_file(client, tokens["editor"], mf.png(), "co-san.png")
    files_before = stored_files(app)
    for case, (make, name) in HOSTILE.items():
        error = assert_error(post_file(client, tokens["editor"], make(), name), 422, "unsupported_file")
        assert error["fields"]["file"], case
        assert stored_files(app) == files_before and media_rows() == 1, case
    assert client.get("/api/v1/media", headers=bearer(tokens["viewer"])).status_code == 200, "still serving"


def test_unplayable_video_says_which_codec_and_what_to_use(client, tokens):
    error = assert_error(post_file(client, tokens["editor"], mf.mp4_mpeg4_part2(), "cu.mp4"), 422)
    assert error["message"] == ("Video dùng mã hóa mpeg4 mà trình duyệt không phát được; hãy chuyển sang "
                                "H.264 (MP4) hoặc VP9 (WebM).")


def test_missing_file_field_is_a_field_error(app, client, tokens):
    response = client.post("/api/v1/media", data={"unit_code": COMMUNE}, headers=bearer(tokens["editor"]),
                           content_type="multipart/form-data")
    error = assert_error(response, 422, "file_missing")
    assert error["fields"] == {"file": "Chưa chọn tệp."}
    assert stored_files(app) == [] and media_rows() == 0


def test_json_body_is_415(client, tokens):
    response = client.post("/api/v1/media", json={"file": "x"}, headers=bearer(tokens["editor"]))
    assert "multipart/form-data" in assert_error(response, 415)["message"]


def test_upload_needs_a_token_and_edit_rights(app, client, tokens):
    response = client.post("/api/v1/media", data={"file": (io.BytesIO(mf.png()), "a.png")},
                           content_type="multipart/form-data")
    assert_error(response, 401)
    assert_error(post_file(client, tokens["viewer"], mf.png()), 403)
    assert stored_files(app) == [] and media_rows() == 0


def test_national_officer_must_name_the_unit(client, tokens):
    error = assert_error(post_file(client, tokens["national"], mf.png()), 422)
    assert "unit_code" in error["fields"]
    created = post_file(client, tokens["national"], mf.png(), unit_code=OTHER_COMMUNE)
    assert created.status_code == 201 and created.get_json()["unit_code"] == OTHER_COMMUNE


def test_upload_for_a_unit_outside_scope_is_403(app, client, tokens):
    assert_error(post_file(client, tokens["editor"], mf.png(), unit_code=OTHER_COMMUNE), 403, "out_of_scope")
    assert_error(post_file(client, tokens["editor"], mf.png(), unit_code="99999"), 404, "unknown_unit")
    assert stored_files(app) == [] and media_rows() == 0


def test_upload_over_the_limit_is_413_and_leaves_nothing(tmp_path):
    from kiosk_server.services.core.tokens import create_token
    from kiosk_server.services.core.users import create_user

    app = make_app(tmp_path, MAX_UPLOAD_MB=1)
    with app.app_context():
        user = create_user("bt@example.vn", "password-123", "editor", COMMUNE, actor="test")
        token = create_token(user, "test")[1]
        client = app.test_client()
        # Encoded in memory: the test client would spool a large form to a file the app never closes.
        boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(mf.random_bytes(1024 * 1024 + 10)),
                                                               "lon.mp4")})
        response = client.post("/api/v1/media", data=body, headers=bearer(token),
                               content_type=f"multipart/form-data; boundary={boundary}")
        error = assert_error(response, 413, "too_large")
        assert "quá lớn" in error["message"]
        assert stored_files(app) == [] and media_rows() == 0
        small = post_file(client, token, mf.png(), "nho.png")
        assert small.status_code == 201, "the limit is the upload's, not a form's 1 MB"
        db.session.remove()
        db.engine.dispose()


# --- listing and scope ------------------------------------------------------------------------

def test_list_filters_by_unit_and_kind_within_scope(client, tokens):
    image = post_file(client, tokens["editor"], mf.png()).get_json()
    video = post_file(client, tokens["editor"], mf.mp4_h264_silent()).get_json()
    theirs = post_file(client, tokens["other_admin"], mf.webp(), unit_code=OTHER_COMMUNE).get_json()
    mine = client.get("/api/v1/media", headers=bearer(tokens["viewer"])).get_json()
    assert [m["id"] for m in mine] == [video["id"], image["id"]]
    only_videos = client.get(f"/api/v1/media?unit={COMMUNE}&kind=video", headers=bearer(tokens["viewer"]))
    assert [m["id"] for m in only_videos.get_json()] == [video["id"]]
    assert_error(client.get(f"/api/v1/media?unit={OTHER_COMMUNE}", headers=bearer(tokens["viewer"])), 403)
    assert_error(client.get("/api/v1/media?kind=audio", headers=bearer(tokens["viewer"])), 422)
    assert_error(client.get("/api/v1/media?colour=red", headers=bearer(tokens["viewer"])), 422)
    national = client.get("/api/v1/media", headers=bearer(tokens["national"])).get_json()
    assert {m["id"] for m in national} == {image["id"], video["id"], theirs["id"]}


def test_another_provinces_officer_can_neither_read_nor_delete(client, tokens):
    body = post_file(client, tokens["editor"], mf.png()).get_json()
    # Outside their scope the file reads as missing (docs/security.md): 404, as for an unknown id.
    assert_error(client.get(f"/api/v1/media/{body['id']}", headers=bearer(tokens["other_admin"])), 404, "not_found")
    assert_error(client.delete(f"/api/v1/media/{body['id']}", headers=bearer(tokens["other_admin"])), 404, "not_found")
    assert_error(client.get("/api/v1/media/999", headers=bearer(tokens["viewer"])), 404)
    assert media_rows() == 1


# --- deletion ---------------------------------------------------------------------------------

def use_in_notice(media_id: int, author_id: int) -> None:
    notice = Notice(unit_code=COMMUNE, author_id=author_id, title="Thông báo lịch tiếp dân")
    db.session.add(notice)
    db.session.flush()
    db.session.execute(insert(notice_media).values(notice_id=notice.id, slot="published", position=0,
                                                   media_id=media_id))
    db.session.commit()


def test_delete_in_use_is_409_and_keeps_everything(app, client, officers, tokens):
    body = post_file(client, tokens["editor"], mf.png()).get_json()
    use_in_notice(body["id"], officers["editor"].id)
    files = stored_files(app)
    error = assert_error(client.delete(f"/api/v1/media/{body['id']}", headers=bearer(tokens["editor"])), 409,
                         "media_in_use")
    assert "Thông báo lịch tiếp dân" in error["message"]
    assert media_rows() == 1 and stored_files(app) == files


def test_delete_unused_is_204_and_the_file_is_gone(app, client, tokens):
    body = post_file(client, tokens["editor"], mf.webm_vp8()).get_json()
    assert_error(client.delete(f"/api/v1/media/{body['id']}", headers=bearer(tokens["viewer"])), 403)
    response = client.delete(f"/api/v1/media/{body['id']}", headers=bearer(tokens["editor"]))
    assert response.status_code == 204 and response.data == b""
    assert media_rows() == 0 and stored_files(app) == []
    assert fetch(client, body["url"]).status_code == 404
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "media")).all()
    assert actions == ["media.upload", "media.delete"]


def test_delete_keeps_the_file_another_unit_uses(app, client, tokens):
    data = mf.png()
    mine = post_file(client, tokens["editor"], data).get_json()
    theirs = post_file(client, tokens["other_admin"], data, unit_code=OTHER_COMMUNE).get_json()
    assert mine["sha256"] == theirs["sha256"] and mine["id"] != theirs["id"]
    assert client.delete(f"/api/v1/media/{mine['id']}", headers=bearer(tokens["editor"])).status_code == 204
    assert fetch(client, theirs["url"]).status_code == 200 and fetch(client, theirs["poster_url"]).status_code == 200


# --- serving ----------------------------------------------------------------------------------

def test_file_is_served_with_etag_long_cache_and_ranges(client, tokens):
    data = mf.mp4_h264_aac()
    body = post_file(client, tokens["editor"], data, "clip.mp4").get_json()
    whole = fetch(client, body["url"])
    assert whole.status_code == 200 and whole.data == data
    assert whole.headers["ETag"] == f'"{body["sha256"]}"'
    assert whole.headers["Content-Type"] == "video/mp4"
    assert whole.headers["Accept-Ranges"] == "bytes"
    cache = whole.headers["Cache-Control"]
    assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache

    part = fetch(client, body["url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = fetch(client, body["url"], headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == data[-10:]

    beyond = fetch(client, body["url"], headers={"Range": f"bytes={len(data) + 5}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(data)}"

    cached = fetch(client, body["url"], headers={"If-None-Match": f'"{body["sha256"]}"'})
    assert cached.status_code == 304 and cached.data == b""
    assert fetch(client, body["url"], "HEAD").headers["Content-Length"] == str(len(data))


def test_posters_and_pages_are_served_as_jpeg(client, tokens):
    body = post_file(client, tokens["editor"], mf.pdf(), "cv.pdf").get_json()
    assert fetch(client, body["url"]).mimetype == "application/pdf"
    for url in [body["poster_url"], *(p["url"] for p in body["pages"])]:
        response = fetch(client, url)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"


@pytest.mark.parametrize("name", ["0" * 64, "ABC", "../../etc/passwd", "%2e%2e%2fsecret_key", "A" * 64])
def test_unknown_or_malformed_object_names_are_404(client, name):
    assert fetch(client, f"/media/{name}").status_code == 404


# --- OpenAPI ----------------------------------------------------------------------------------

def test_openapi_documents_the_multipart_upload(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/media"]["post"]
    schema = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert "201" in post["responses"] and "413" in post["responses"]
    assert "/api/v1/media/{media_id}" in spec["paths"]
    assert schema  # a $ref to MediaUpload, whose `file` is a binary string
    upload = spec["components"]["schemas"]["MediaUpload"]["properties"]["file"]
    assert upload == {**upload, "type": "string", "format": "binary"}


# --- officer page -----------------------------------------------------------------------------

def ui_upload(client, auth, data: bytes, name: str, **headers):
    token = auth.csrf("/admin/media")
    return client.post("/admin/media/upload", data={"file": (io.BytesIO(data), name), "csrf_token": token},
                       content_type="multipart/form-data", headers=headers)


def test_media_page_lists_thumbnails_and_uploads_without_javascript(client, auth, officers):
    auth.login("bientap@example.vn")
    page = client.get("/admin/media").get_data(as_text=True)
    assert "Thư viện media" in page and 'enctype="multipart/form-data"' in page
    assert "admin/upload.js" in page and "<script>" not in page
    response = ui_upload(client, auth, mf.mp4_h264_silent(), "gioi-thieu.mp4")
    assert response.status_code == 302
    media = db.session.scalar(select(Media))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã tải lên “gioi-thieu.mp4”." in html
    assert f'src="/media/{media.poster_sha256}"' in html and "0:01" in html and "Chưa dùng" in html
    assert 'href="/admin/media"' in html and 'aria-current="page"' in html


def test_js_upload_gets_json_and_the_reason_of_a_refusal(client, auth, officers):
    auth.login("bientap@example.vn")
    done = ui_upload(client, auth, mf.png(), "a.png", Accept="application/json")
    assert done.status_code == 201 and done.get_json()["media"]["kind"] == "image"
    refused = ui_upload(client, auth, mf.elf_executable(), "a.jpg", Accept="application/json")
    error = assert_error(refused, 422, "unsupported_file")
    assert "ELF" in error["message"] and error["fields"]["file"]
    assert media_rows() == 1


def test_refused_form_upload_shows_the_reason_beside_the_field(client, auth, officers):
    auth.login("bientap@example.vn")
    response = ui_upload(client, auth, mf.truncated_jpeg(), "hong.jpg")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="file-error">Ảnh bị hỏng hoặc không đầy đủ', html)
    assert "Không đọc được ảnh" in html and media_rows() == 0


def test_ui_upload_without_csrf_is_refused(client, auth, officers):
    auth.login("bientap@example.vn")
    response = client.post("/admin/media/upload", data={"file": (io.BytesIO(mf.png()), "a.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and media_rows() == 0


def test_ui_delete_refuses_media_in_use_and_deletes_unused(app, client, auth, officers):
    auth.login("bientap@example.vn")
    ui_upload(client, auth, mf.png(), "dang-dung.png")
    ui_upload(client, auth, mf.gif(), "bo-di.gif")
    used, unused = db.session.scalars(select(Media).order_by(Media.id)).all()
    use_in_notice(used.id, officers["editor"].id)
    token = auth.csrf("/admin/media")
    refused = client.post(f"/admin/media/{used.id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "Không xóa được" in refused.get_data(as_text=True) and "Đang dùng trong 1 thông báo" in refused.get_data(
        as_text=True)
    deleted = client.post(f"/admin/media/{unused.id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "Đã xóa “bo-di.gif”." in deleted.get_data(as_text=True)
    assert [m.id for m in db.session.scalars(select(Media))] == [used.id]


def test_viewer_sees_no_upload_form_and_cannot_upload(client, auth, officers):
    auth.login("xem@example.vn")
    page = client.get("/admin/media")
    assert page.status_code == 200 and "data-upload" not in page.get_data(as_text=True)
    assert 'href="/admin/media"' not in page.get_data(as_text=True), "the menu entry needs edit rights"
    token = auth.csrf("/admin/media")
    response = client.post("/admin/media/upload", data={"file": (io.BytesIO(mf.png()), "a.png"), "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 403 and media_rows() == 0


def test_other_provinces_media_is_not_on_the_page_and_cannot_be_deleted(client, auth, officers, tokens):
    theirs = post_file(client, tokens["other_admin"], mf.png(), "cao-bang.png", unit_code=OTHER_COMMUNE).get_json()
    auth.login("bientap@example.vn")
    assert "cao-bang.png" not in client.get("/admin/media?unit=").get_data(as_text=True)
    token = auth.csrf("/admin/media")
    assert client.post(f"/admin/media/{theirs['id']}/delete", data={"csrf_token": token}).status_code == 404
    assert media_rows() == 1


def test_upload_script_is_served_from_self(client):
    response = fetch(client, "/static/admin/upload.js")
    assert response.status_code == 200 and b"XMLHttpRequest" in response.data and b"upload" in response.data


def test_behind_nginx_media_is_handed_over_with_x_accel(tokens, app):
    import io

    from tests.media_factory import png

    uploaded = app.test_client().post("/api/v1/media", data={"file": (io.BytesIO(png()), "a.png")},
                                      headers=bearer(tokens["editor"]), content_type="multipart/form-data").get_json()
    app.config["MEDIA_ACCEL_PREFIX"] = "/_media"
    response = app.test_client().get(uploaded["url"])
    sha = uploaded["sha256"]
    assert response.headers["X-Accel-Redirect"] == f"/_media/{sha[:2]}/{sha}"
    assert response.mimetype == "image/png" and response.data == b""
