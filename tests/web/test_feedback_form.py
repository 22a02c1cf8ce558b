"""The citizens' form and tracking page: no sign-in, no scripts, nothing personal shown, bad input refused."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Feedback
from tests import media_factory
from tests.conftest import COMMUNE, make_app
from tests.feedback_helpers import (
    GOOD_TEXT,
    count_audit,
    count_feedback,
    form_token,
    stored_files,
    submit,
    tracking_code,
)


def _only_feedback() -> Feedback:
    items = db.session.scalars(select(Feedback)).all()
    assert len(items) == 1
    return items[0]


# --- the form -----------------------------------------------------------------------------------

def test_form_is_vietnamese_mobile_first_and_script_free(client):
    response = client.get(f"/p/{COMMUNE}/feedback")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html and 'name="viewport"' in html
    assert "Gửi phản ánh, kiến nghị" in html and "Phường Minh Xuân" in html
    assert "<script" not in html and "style=" not in html, "CSP forbids inline scripts and styles"
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    for category in ("Môi trường", "An toàn giao thông", "Khác"):
        assert category in html
    assert "không hiện trên trang công khai" in html, "the consent says how personal data is used"
    assert 'class="fb-hp" aria-hidden="true"' in html and 'name="website"' in html, "honeypot hidden by a class"


def test_submit_without_javascript_shows_the_tracking_page(client):
    response = submit(client, COMMUNE, category="traffic", text="Ổ gà lớn trước cổng chợ,\nxe máy dễ ngã.")
    code = tracking_code(response)
    item = _only_feedback()
    assert (item.code, item.unit_code, item.category, item.status) == (code, COMMUNE, "traffic", "new")
    assert item.text == "Ổ gà lớn trước cổng chợ,\nxe máy dễ ngã."

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert code in html and "Đã gửi phản ánh" in html
    assert "Mới" in html and "An toàn giao thông" in html and "Ổ gà lớn trước cổng chợ" in html
    assert "Chưa có câu trả lời" in html
    assert 'name="robots" content="noindex"' in html, "tracking pages stay out of search engines"
    assert count_audit("feedback.create") == 1


def test_codes_are_not_sequential(client):
    codes = [tracking_code(submit(client, COMMUNE, text=f"{GOOD_TEXT} ({i})")) for i in range(3)]
    assert len(set(codes)) == 3
    assert [item.code for item in db.session.scalars(select(Feedback).order_by(Feedback.id))] == codes
    assert sorted(codes) != codes or sorted(codes, reverse=True) != codes


def test_public_page_never_shows_name_phone_or_photo(client):
    response = submit(client, COMMUNE, name="Hoàng Thị Bích", phone="0987 654 321",
                      photo=(media_factory.jpeg(320, 240, gps=True), "anh.jpg"))
    code = tracking_code(response)
    item = _only_feedback()
    assert (item.name, item.phone) == ("Hoàng Thị Bích", "0987654321")
    assert item.photo_sha256

    html = client.get(f"/p/feedback/{code}").get_data(as_text=True)
    for secret in ("Hoàng Thị Bích", "0987654321", "0987 654 321", item.photo_sha256, "/photo"):
        assert secret not in html
    assert html.count("<img") == 1, "only the emblem in the header"
    assert client.get(f"/media/{item.photo_sha256}").status_code == 404, "never served by the public media URL"


def test_photo_is_re_encoded_without_gps(client, app):
    tracking_code(submit(client, COMMUNE, photo=(media_factory.jpeg(640, 480, gps=True), "IMG_0001.JPG")))
    item = _only_feedback()
    path = app.config["FEEDBACK_PHOTO_DIR"] + f"/{item.photo_sha256[:2]}/{item.photo_sha256}"
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.size == (640, 480)
        exif = image.getexif()
        assert 0x8825 not in exif and 0x010F not in exif, "no GPS, no camera"
    assert (item.photo_mime, item.photo_width, item.photo_height) == ("image/jpeg", 640, 480)
    assert not stored_files(app.config["MEDIA_DIR"]), "nothing in the public media store"


def test_tracking_page_answers_lowercase_and_spaced_codes(client):
    code = tracking_code(submit(client, COMMUNE))
    response = client.get(f"/p/feedback/{code.lower()}")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/p/feedback/{code}")
    lookup = client.get("/p/feedback", query_string={"code": code.replace("-", " ").lower()})
    assert lookup.status_code == 303 and lookup.headers["Location"].endswith(code)
    assert "Tra cứu" in client.get("/p/feedback").get_data(as_text=True)
    assert client.get("/p/feedback?code=nope").status_code == 422


def test_script_in_text_is_stored_as_text_and_escaped(client):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> Đèn đường hỏng'
    code = tracking_code(submit(client, COMMUNE, text=hostile, name='<b onmouseover="x">Tên</b>'))
    assert _only_feedback().text == hostile, "stored as plain text, exactly as typed"
    html = client.get(f"/p/feedback/{code}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html


# --- refusals ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"text": "ngắn"}, "text", "ít nhất 10 ký tự"),
    ({"text": "   "}, "text", "Hãy viết nội dung"),
    ({"text": "x" * 5001}, "text", "tối đa 5000 ký tự"),
    ({"category": ""}, "category", "Hãy chọn lĩnh vực"),
    ({"category": "nope"}, "category", "không có trong danh sách"),
    ({"phone": "12345"}, "phone", "Số điện thoại chưa đúng"),
    ({"name": "N" * 101}, "name", "tối đa 100 ký tự"),
    ({"consent": ""}, "consent", "đánh dấu ô đồng ý"),
])
def test_bad_fields_are_named_in_vietnamese_and_nothing_is_stored(client, fields, field, message):
    response = submit(client, COMMUNE, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html
    assert count_feedback() == 0 and count_audit("feedback.create") == 0


def test_typed_text_survives_a_refusal(client):
    html = submit(client, COMMUNE, text="Cống thoát nước bị tắc ở ngõ 12", phone="bad").get_data(as_text=True)
    assert "Cống thoát nước bị tắc ở ngõ 12" in html


def test_post_without_csrf_token_is_refused(client):
    response = submit(client, COMMUNE, token=False)
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert count_feedback() == 0


def test_honeypot_gets_thanks_and_nothing_is_stored(client):
    response = submit(client, COMMUNE, website="http://spam.example/buy", photo=(media_factory.jpeg(), "a.jpg"))
    assert response.status_code == 200
    assert "Cảm ơn bạn đã gửi phản ánh" in response.get_data(as_text=True)
    assert count_feedback() == 0 and count_audit("feedback.create") == 0
    assert not stored_files(client.application.config["FEEDBACK_PHOTO_DIR"])


def test_unknown_unit_is_a_public_404(client):
    for path in ("/p/99999/feedback", "/p/" + "9" * 40 + "/feedback"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "Không có xã, phường" in html and "Đăng xuất" not in html
    assert submit_to_unknown(client).status_code == 404
    assert count_feedback() == 0


def submit_to_unknown(client):
    token = form_token(client, f"/p/{COMMUNE}/feedback")
    return client.post("/p/99999/feedback", data={"csrf_token": token, "category": "local", "text": GOOD_TEXT,
                                                  "consent": "y"}, content_type="multipart/form-data")


def test_unknown_tracking_code_is_a_public_404(client):
    for code in ("PA-0000-0000", "nonsense", "PA-7K3Q-92MD'--"):
        response = client.get(f"/p/feedback/{code}")
        assert response.status_code == 404
        assert "Không tìm thấy phản ánh" in response.get_data(as_text=True)


@pytest.mark.parametrize(("photo", "message"), [
    (media_factory.random_bytes(8192), "không phải là ảnh"),
    (media_factory.elf_executable(), "không phải là ảnh"),
    (media_factory.pdf(1), "không phải là ảnh"),
    (media_factory.pixel_bomb(), "triệu điểm ảnh"),
    (media_factory.truncated_jpeg(), "Không đọc được ảnh"),
    (b"", "rỗng"),
])
def test_hostile_photos_are_refused_and_leave_nothing(client, app, photo, message):
    response = submit(client, COMMUNE, photo=(photo, "anh.jpg"), name="Ai đó", phone="0912345678")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'id="photo-error"' in html
    assert count_feedback() == 0 and count_audit("feedback.create") == 0
    assert not stored_files(app.config["FEEDBACK_PHOTO_DIR"]), "no file, not even a temporary one"
    assert not stored_files(app.config["MEDIA_DIR"])


def test_oversized_body_is_refused_before_it_is_read(tmp_path):
    app = make_app(tmp_path, FEEDBACK_MAX_PHOTO_MB=1)
    client = app.test_client()
    with app.app_context():
        response = submit(client, COMMUNE, photo=(b"\xff\xd8\xff" + bytes(2 * 1024 * 1024), "big.jpg"))
        assert response.status_code == 413
        assert "tối đa 1 MB" in response.get_data(as_text=True)
        assert count_feedback() == 0
        assert not stored_files(app.config["FEEDBACK_PHOTO_DIR"])
        db.session.remove()
        db.engine.dispose()


def test_flood_of_submissions_gets_429(tmp_path):
    app = make_app(tmp_path, FEEDBACK_RATE_LIMIT="2 per hour")
    client = app.test_client()
    with app.app_context():
        statuses = [submit(client, COMMUNE, text=f"{GOOD_TEXT} ({i})").status_code for i in range(3)]
        assert statuses == [303, 303, 429]
        response = submit(client, COMMUNE)
        assert response.status_code == 429
        html = response.get_data(as_text=True)
        assert "thao tác quá nhanh" in html and "Đăng xuất" not in html
        assert count_feedback() == 2
        assert client.get(f"/p/{COMMUNE}/feedback").status_code == 200, "reading the form is not limited"
        db.session.remove()
        db.engine.dispose()


def test_mistyped_fields_do_not_use_up_the_limit(tmp_path):
    app = make_app(tmp_path, FEEDBACK_RATE_LIMIT="2 per hour")
    client = app.test_client()
    with app.app_context():
        assert [submit(client, COMMUNE, text="ngắn").status_code for _ in range(3)] == [422, 422, 422]
        assert submit(client, COMMUNE).status_code == 303
        assert submit(client, COMMUNE, photo=(media_factory.random_bytes(), "x.jpg")).status_code == 422
        assert submit(client, COMMUNE).status_code == 429, "a refused photo still counts"
        db.session.remove()
        db.engine.dispose()


def test_audit_entry_of_a_submission_holds_no_personal_data(client):
    tracking_code(submit(client, COMMUNE, name="Lò Văn Páo", phone="0912345678",
                         photo=(media_factory.png(), "a.png")))
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.create")).one()
    assert entry.actor == "citizen" and entry.actor_id is None and entry.unit_code == COMMUNE
    text = str(entry.after)
    assert "Lò Văn Páo" not in text and "0912345678" not in text and _only_feedback().photo_sha256 not in text
    assert entry.after["has_name"] and entry.after["has_phone"] and entry.after["has_photo"]


def test_same_photo_twice_is_one_object(client, app):
    photo = media_factory.png(80, 60)
    tracking_code(submit(client, COMMUNE, photo=(photo, "a.png")))
    tracking_code(submit(client, COMMUNE, photo=(io.BytesIO(photo).getvalue(), "b.png"), text=GOOD_TEXT + "!"))
    shas = {item.photo_sha256 for item in db.session.scalars(select(Feedback))}
    assert len(shas) == 1
    assert len(stored_files(app.config["FEEDBACK_PHOTO_DIR"])) == 1
