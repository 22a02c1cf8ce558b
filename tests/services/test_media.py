"""The media library's store and service: what is accepted, what is stored, what is refused and why."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import av
import pytest
from PIL import Image
from sqlalchemy import func, insert, select
from werkzeug.datastructures import FileStorage

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Media, Notice
from kiosk_server.models.notices import notice_media
from kiosk_server.services.content import media as media_service
from kiosk_server.services.core.errors import Conflict, Forbidden, ValidationFailed
from kiosk_server.services.reports import report_files
from kiosk_server.storage import InvalidObjectName, MediaStore, media_store
from tests import media_factory as mf
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE


def upload(data: bytes, name: str = "tep.bin") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def stored_files(app) -> list[Path]:
    """Every file under MEDIA_DIR, temporary ones included."""
    root = Path(app.config["MEDIA_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def media_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Media))


def read_object(sha256: str) -> bytes:
    with media_store().open(sha256) as fh:
        return fh.read()


# --- MediaStore -------------------------------------------------------------------------------

def test_store_puts_by_sha256_in_two_level_layout_and_is_idempotent(tmp_path):
    store = MediaStore(tmp_path / "media")
    data = b"bang tin dien tu" * 1000
    sha, size = store.put(io.BytesIO(data))
    assert sha == hashlib.sha256(data).hexdigest() and size == len(data)
    assert store.path(sha) == tmp_path / "media" / sha[:2] / sha
    with store.open(sha) as fh:
        assert store.exists(sha) and fh.read() == data
    assert store.put_bytes(data) == (sha, size)
    files = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert files == [store.path(sha)], "no temporary file is left beside the object"
    assert store.delete(sha) is True and not store.exists(sha)
    assert store.delete(sha) is False


@pytest.mark.parametrize("name", ["../../etc/passwd", "ABCDEF" + "0" * 58, "0" * 63, "0" * 65, "", "g" * 64])
def test_store_refuses_anything_but_64_lowercase_hex(tmp_path, name):
    store = MediaStore(tmp_path)
    for call in (store.path, store.exists, store.open, store.delete):
        with pytest.raises(InvalidObjectName):
            call(name)


def test_discarded_stage_leaves_nothing(tmp_path):
    store = MediaStore(tmp_path)
    staged = store.stage(io.BytesIO(b"x" * 10))
    assert staged.path.exists() and not store.exists(staged.sha256)
    store.discard(staged)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


# --- accepted types ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("make", "name", "mime", "size"),
    [
        (lambda: mf.jpeg(64, 48), "anh.png", "image/jpeg", (64, 48)),  # the name lies; the content decides
        (lambda: mf.png(40, 30), "anh.png", "image/png", (40, 30)),
        (lambda: mf.webp(50, 20), "anh.webp", "image/webp", (50, 20)),
        (lambda: mf.gif(32, 24), "anh.gif", "image/gif", (32, 24)),
    ],
)
def test_images_are_reencoded_with_their_kind_mime_and_size(app, officers, make, name, mime, size):
    media = media_service.ingest_upload(upload(make(), name), None, officers["editor"])
    assert (media.kind, media.mime, (media.width, media.height)) == ("image", mime, size)
    assert media.unit_code == COMMUNE and media.created_by_id == officers["editor"].id
    assert media.original_name == name
    stored = read_object(media.sha256)
    assert media.size_bytes == len(stored) and hashlib.sha256(stored).hexdigest() == media.sha256
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == size and Image.MIME[image.format] == mime
    with Image.open(io.BytesIO(read_object(media.poster_sha256))) as thumb:
        assert thumb.format == "JPEG" and thumb.width <= 480


def test_gps_and_camera_exif_are_stripped_after_orientation_is_applied(app, officers):
    original = mf.jpeg(64, 48, gps=True, orientation=6)  # 6: the camera was turned; show it rotated
    with Image.open(io.BytesIO(original)) as image:
        assert mf.GPS_IFD in image.getexif()
    media = media_service.ingest_upload(upload(original, "IMG_0001.jpg"), None, officers["editor"])
    stored = read_object(media.sha256)
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        assert mf.GPS_IFD not in exif and not exif.get_ifd(mf.GPS_IFD)
        assert mf.ORIENTATION not in exif and 0x010F not in exif
        assert "exif" not in image.info and image.size == (48, 64)
    assert (media.width, media.height) == (48, 64)
    assert b"Exif" not in stored and b"Test camera maker" not in stored


def test_animated_gif_keeps_its_frames(app, officers):
    media = media_service.ingest_upload(upload(mf.gif(frames=3), "dong.gif"), None, officers["editor"])
    with Image.open(io.BytesIO(read_object(media.sha256))) as image:
        assert image.n_frames == 3 and image.info["duration"] == 100


def test_large_photo_is_scaled_to_the_configured_side(app, officers):
    app.config["IMAGE_MAX_SIDE"] = 100
    media = media_service.ingest_upload(upload(mf.png(400, 200), "lon.png"), None, officers["editor"])
    assert (media.width, media.height) == (100, 50)


@pytest.mark.parametrize(
    ("make", "mime", "codec"),
    [
        (mf.mp4_h264_aac, "video/mp4", "h264"),
        (mf.mp4_h264_silent, "video/mp4", "h264"),
        (mf.webm_vp9_opus, "video/webm", "vp9"),
        (mf.webm_vp8, "video/webm", "vp8"),
    ],
)
def test_playable_videos_keep_their_bytes_and_get_size_duration_and_poster(app, officers, make, mime, codec):
    data = make()
    media = media_service.ingest_upload(upload(data, "clip.bin"), None, officers["editor"])
    assert (media.kind, media.mime, media.width, media.height) == ("video", mime, 64, 48)
    assert media.duration_s == pytest.approx(1.0, abs=0.05)
    assert media.sha256 == hashlib.sha256(data).hexdigest() and media.size_bytes == len(data)
    with Image.open(io.BytesIO(read_object(media.poster_sha256))) as poster:
        assert poster.format == "JPEG" and poster.size == (64, 48)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "media.upload"))
    assert entry.after["video_codec"] == codec and entry.object_id == str(media.id)


def test_pdf_becomes_one_screen_image_per_page(app, officers):
    data = mf.pdf(pages=2)
    media = media_service.ingest_upload(upload(data, "cong-van.pdf"), None, officers["editor"])
    assert (media.kind, media.mime) == ("pdf", "application/pdf")
    assert media.sha256 == hashlib.sha256(data).hexdigest()
    assert [(p["width"], p["height"]) for p in media.pages] == [(1280, 1920), (1408, 1920)]
    for page in media.pages:
        with Image.open(io.BytesIO(read_object(page["sha256"]))) as image:
            assert image.format == "JPEG" and image.size == (page["width"], page["height"])
    assert media.poster_sha256 and media_store().exists(media.poster_sha256)


# --- what kiosks play -------------------------------------------------------------------------

def test_playables_for_image_video_and_pdf(app, officers):
    image = media_service.ingest_upload(upload(mf.png()), None, officers["editor"])
    video = media_service.ingest_upload(upload(mf.mp4_h264_aac()), None, officers["editor"])
    pdf = media_service.ingest_upload(upload(mf.pdf(2)), None, officers["editor"])
    assert media_service.playables(image) == [
        {"kind": "image", "url": f"/media/{image.sha256}", "sha256": image.sha256, "width": 64, "height": 48}
    ]
    [clip] = media_service.playables(video)
    assert clip == {
        "kind": "video", "url": f"/media/{video.sha256}", "sha256": video.sha256, "mime": "video/mp4",
        "duration_s": video.duration_s, "poster_url": f"/media/{video.poster_sha256}", "width": 64, "height": 48,
    }
    pages = media_service.playables(pdf)
    assert [p["sha256"] for p in pages] == [p["sha256"] for p in pdf.pages]
    assert all(p["kind"] == "image" and p["url"] == f"/media/{p['sha256']}" for p in pages)
    assert media_service.playables_by_id([image.id, pdf.id, 999]) == {
        image.id: media_service.playables(image), pdf.id: pages,
    }


def test_media_json_has_the_contract_fields(app, officers):
    media = media_service.ingest_upload(upload(mf.webm_vp9_opus(), "gioi-thieu.webm"), None, officers["editor"])
    body = media_service.media_json(media)
    assert {"id", "sha256", "kind", "mime", "width", "height", "duration_s", "url"} <= set(body)
    assert body["url"] == f"/media/{media.sha256}" and body["poster_url"] == f"/media/{media.poster_sha256}"
    assert body["original_name"] == "gioi-thieu.webm" and body["pages"] is None


# --- the same file twice ----------------------------------------------------------------------

def test_same_file_twice_in_a_unit_is_one_row_and_one_object(app, officers):
    data = mf.jpeg(gps=True)
    first = media_service.ingest_upload(upload(data, "a.jpg"), None, officers["editor"])
    files = stored_files(app)
    second = media_service.ingest_upload(upload(data, "b.jpg"), None, officers["editor"])
    assert second.id == first.id and media_rows() == 1
    assert stored_files(app) == files and len(files) == 2  # the image and its thumbnail


def test_same_file_in_two_units_is_two_rows_sharing_one_object(app, officers):
    data = mf.png()
    mine = media_service.ingest_upload(upload(data), None, officers["editor"])
    theirs = media_service.ingest_upload(upload(data), OTHER_COMMUNE, officers["other_admin"])
    assert mine.id != theirs.id and mine.sha256 == theirs.sha256 and media_rows() == 2
    assert len(stored_files(app)) == 2


# --- refusals ---------------------------------------------------------------------------------

HOSTILE = {
    "random bytes named .mp4": (lambda: mf.random_bytes(), "video.mp4", "Không nhận ra tệp"),
    "ELF executable named .jpg": (mf.elf_executable, "anh.jpg", "ELF"),
    "Windows executable named .jpg": (mf.windows_executable, "anh.jpg", "Windows"),
    "truncated JPEG": (mf.truncated_jpeg, "anh.jpg", "Không đọc được ảnh"),
    "pixel bomb": (lambda: mf.pixel_bomb(20000), "bom.png", "triệu điểm ảnh"),
    "image over the pixel limit": (lambda: mf.pixel_bomb(8000), "lon.png", "8000×8000"),
    "empty file": (lambda: b"", "trong.jpg", "Tệp rỗng"),
    "MPEG-4 Part 2 video": (mf.mp4_mpeg4_part2, "cu.mp4", "mpeg4"),
    "H.264 4:4:4 video": (lambda: mf.video("mp4", "libx264", None, pix_fmt="yuv444p"), "x.mp4", "yuv444p"),
    "truncated MP4": (lambda: mf.mp4_h264_aac()[:1500], "cut.mp4", "Không đọc được video"),
    "PDF over the page limit": (lambda: mf.pdf(51), "dai.pdf", "51 trang"),
    "broken PDF": (lambda: b"%PDF-1.7\n" + mf.random_bytes(2000), "hong.pdf", "PDF"),
    "HEIC photo": (lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200), "a.heic", "HEIC"),
    "AVI video": (lambda: b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(200), "a.avi", "MP4 (H.264)"),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_refused_upload_says_why_and_leaves_nothing(app, officers, case):
    make, name, reason = HOSTILE[case]
    existing = media_service.ingest_upload(upload(mf.gif(), "co-san.gif"), None, officers["editor"])
    files_before = stored_files(app)
    with pytest.raises(ValidationFailed) as refused:
        media_service.ingest_upload(upload(make(), name), None, officers["editor"])
    assert reason in str(refused.value.message)
    assert set(refused.value.fields) == {"file"}
    assert stored_files(app) == files_before
    assert media_rows() == 1 and media_service.find_media(existing.id) is not None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "media.upload")) == 1


def test_truncated_photo_is_still_refused_after_a_pdf_report_was_drawn(app, officers):
    # Importing WeasyPrint tells Pillow, for the whole process, to load truncated images; a server that had
    # drawn one report (or a test process that had, before the case above) then took half a photo.
    report_files.pdf_from_html("<!doctype html><html lang=vi><body><p>Báo cáo</p></body></html>")
    with pytest.raises(ValidationFailed, match="Không đọc được ảnh"):
        media_service.ingest_upload(upload(mf.truncated_jpeg(), "anh.jpg"), None, officers["editor"])


def test_video_with_audio_a_browser_cannot_play_is_refused(app, officers):
    with pytest.raises(ValidationFailed) as refused:
        media_service.ingest_upload(upload(mf.video("mp4", "libx264", "ac3")), None, officers["editor"])
    assert "ac3" in str(refused.value.message) and "AAC" in str(refused.value.message)


def test_audio_only_file_is_refused(app, officers):
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as muxer:
        sound = muxer.add_stream("aac", rate=48000)
        mf._silence(muxer, sound, 0.2)
    with pytest.raises(ValidationFailed, match="không có hình"):
        media_service.ingest_upload(upload(out.getvalue(), "a.m4a"), None, officers["editor"])


def test_missing_file_and_missing_unit_are_field_errors(app, officers):
    with pytest.raises(ValidationFailed) as missing:
        media_service.ingest_upload(None, None, officers["editor"])
    assert set(missing.value.fields) == {"file"}
    with pytest.raises(ValidationFailed) as nameless:
        media_service.ingest_upload(FileStorage(io.BytesIO(b""), filename=""), None, officers["editor"])
    assert set(nameless.value.fields) == {"file"}
    with pytest.raises(ValidationFailed) as national:
        media_service.ingest_upload(upload(mf.png()), None, officers["national"])
    assert set(national.value.fields) == {"unit_code"}
    assert stored_files(app) == [] and media_rows() == 0


def test_upload_outside_scope_is_forbidden_before_reading_the_file(app, officers):
    with pytest.raises(Forbidden):
        media_service.ingest_upload(upload(mf.png()), OTHER_COMMUNE, officers["editor"])
    assert stored_files(app) == []


def test_province_officer_uploads_for_a_commune_below(app, officers):
    media = media_service.ingest_upload(upload(mf.png()), COMMUNE, officers["province_admin"])
    assert media.unit_code == COMMUNE
    assert media_service.ingest_upload(upload(mf.webp()), None, officers["province_admin"]).unit_code == PROVINCE


# --- deletion ---------------------------------------------------------------------------------

def use_in_notice(media: Media, author) -> Notice:
    notice = Notice(unit_code=media.unit_code, author_id=author.id, title="Lịch tiêm chủng tháng 6")
    db.session.add(notice)
    db.session.flush()
    db.session.execute(insert(notice_media).values(notice_id=notice.id, slot="head", position=0, media_id=media.id))
    db.session.commit()
    return notice


def test_media_used_by_a_notice_cannot_be_deleted(app, officers):
    media = media_service.ingest_upload(upload(mf.png()), None, officers["editor"])
    use_in_notice(media, officers["editor"])
    with pytest.raises(Conflict) as refused:
        media_service.delete_media(media, officers["editor"])
    assert "Lịch tiêm chủng tháng 6" in str(refused.value.message)
    assert media_rows() == 1 and media_store().exists(media.sha256)


def test_delete_removes_row_file_poster_and_pages_and_is_audited(app, officers):
    media = media_service.ingest_upload(upload(mf.pdf(2), "cv.pdf"), None, officers["editor"])
    assert len(stored_files(app)) == 4  # the PDF, its thumbnail, two pages
    media_service.delete_media(media, officers["editor"])
    assert media_rows() == 0 and stored_files(app) == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "media.delete"))
    assert entry.before["original_name"] == "cv.pdf" and entry.unit_code == COMMUNE


def test_delete_keeps_bytes_another_unit_still_uses(app, officers):
    data = mf.mp4_h264_silent()
    mine = media_service.ingest_upload(upload(data), None, officers["editor"])
    media_service.ingest_upload(upload(data), OTHER_COMMUNE, officers["other_admin"])
    files = stored_files(app)
    media_service.delete_media(mine, officers["editor"])
    assert media_rows() == 1 and stored_files(app) == files


def test_blank_pdf_pages_shared_by_two_documents_survive_one_deletion(app, officers):
    one = media_service.ingest_upload(upload(mf.pdf(1)), None, officers["editor"])
    two = media_service.ingest_upload(upload(mf.pdf(2)), None, officers["editor"])
    assert one.pages[0]["sha256"] == two.pages[0]["sha256"]  # same first page, rendered the same
    media_service.delete_media(two, officers["editor"])
    assert media_store().exists(one.pages[0]["sha256"]) and not media_store().exists(two.pages[1]["sha256"])


def test_officer_cannot_delete_another_provinces_media(app, officers):
    theirs = media_service.ingest_upload(upload(mf.png()), OTHER_COMMUNE, officers["other_admin"])
    with pytest.raises(Forbidden):
        media_service.delete_media(theirs, officers["editor"])
    assert media_rows() == 1



def test_decoding_in_gevents_worker_thread_returns_and_refuses_alike(app, officers, monkeypatch):
    # Production runs under gevent: the decoders run in a native thread so the event loop keeps serving.
    from gevent.threadpool import ThreadPool

    pool = ThreadPool(1)
    monkeypatch.setattr(media_service, "_gevent_worker", lambda: pool)
    try:
        media = media_service.ingest_upload(upload(mf.pdf(2), "cv.pdf"), None, officers["editor"])
        assert media.kind == "pdf" and len(media.pages) == 2
        with pytest.raises(ValidationFailed, match="ELF"):
            media_service.ingest_upload(upload(mf.elf_executable(), "a.jpg"), None, officers["editor"])
    finally:
        pool.kill()
    assert media_rows() == 1 and len(stored_files(app)) == 4
