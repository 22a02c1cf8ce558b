"""Feedback in the officer UI: scoped triage list, the item with personal data, answer, status, erase."""

import re
from datetime import timedelta

from kiosk_server.extensions import db
from kiosk_server.models import Feedback, Notice
from kiosk_server.models.base import utcnow
from kiosk_server.services.feedback import feedback as feedback_service
from tests import media_factory
from tests.conftest import COMMUNE, OTHER_COMMUNE
from tests.feedback_helpers import make_item, stored_files


def _page_token(client, path: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _post(client, path: str, back: str, **data):
    return client.post(path, data={"csrf_token": _page_token(client, back), **data})


def test_commune_officer_sees_the_item_with_personal_data(client, auth, officers):
    item = make_item(COMMUNE, photo=media_factory.jpeg(120, 90), text="Nước sinh hoạt có mùi lạ từ hôm qua.")
    auth.login("xem@example.vn")  # a viewer of the commune
    listing = client.get("/admin/feedback")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "Nước sinh hoạt có mùi lạ" in html and item.code in html and "Mới" in html
    assert 'data-testid="feedback-count"' in html, "the navigation counts new items"

    page = client.get(f"/admin/feedback/{item.id}").get_data(as_text=True)
    assert "Trần Văn Nam" not in page and "0912345678" not in page, "a viewer never sees who sent it"
    assert f'src="/admin/feedback/{item.id}/photo"' not in page
    assert "Vai trò của bạn chỉ được xem phản ánh" in page and "Lưu câu trả lời" not in page
    assert client.get(f"/admin/feedback/{item.id}/photo").status_code == 403
    auth.logout()
    auth.login("bientap@example.vn")  # an editor of the commune answers it, so sees who sent it
    page = client.get(f"/admin/feedback/{item.id}").get_data(as_text=True)
    assert "Trần Văn Nam" in page and "0912345678" in page
    assert f'src="/admin/feedback/{item.id}/photo"' in page
    photo = client.get(f"/admin/feedback/{item.id}/photo", buffered=True)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["Cache-Control"] == "private, no-store"


def test_province_officer_sees_its_communes(client, auth, officers):
    item = make_item(COMMUNE)
    auth.login("tinh@example.vn")
    assert item.code in client.get("/admin/feedback").get_data(as_text=True)
    assert "Trần Văn Nam" in client.get(f"/admin/feedback/{item.id}").get_data(as_text=True)


def test_another_provinces_officer_gets_404(client, auth, officers):
    item = make_item(COMMUNE, photo=media_factory.png())
    theirs = make_item(OTHER_COMMUNE, text="Đường vào bản bị sạt lở sau mưa.")
    auth.login("caobang@example.vn")
    listing = client.get("/admin/feedback").get_data(as_text=True)
    assert item.code not in listing and theirs.code in listing
    for path in (f"/admin/feedback/{item.id}", f"/admin/feedback/{item.id}/photo"):
        assert client.get(path).status_code == 404
    token = _page_token(client, f"/admin/feedback/{theirs.id}")
    for action in ("reply", "status", "erase"):
        response = client.post(f"/admin/feedback/{item.id}/{action}",
                               data={"csrf_token": token, "message": "x", "status": "closed"})
        assert response.status_code == 404
    assert db.session.get(Feedback, item.id).name == "Trần Văn Nam"
    # Units are public reference data: filtering by one outside the scope is refused with the reason.
    refused = client.get(f"/admin/feedback?unit={COMMUNE}")
    assert refused.status_code == 403 and "ngoài phạm vi" in refused.get_data(as_text=True)
    assert client.get("/admin/feedback?unit=99999").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    item = make_item(COMMUNE, photo=media_factory.png())
    for path in ("/admin/feedback", f"/admin/feedback/{item.id}", f"/admin/feedback/{item.id}/photo"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_answer_and_publish_from_the_item_page(client, auth, officers):
    item = make_item(COMMUNE, category="traffic")
    auth.login("bientap@example.vn")
    back = f"/admin/feedback/{item.id}"
    response = _post(client, f"/admin/feedback/{item.id}/reply", back,
                     message="Đã lắp biển báo tại ngã ba.\nCảm ơn bà con.", publish="y")
    assert response.status_code == 302
    item = db.session.get(Feedback, item.id)
    assert item.status == "answered" and item.notice_id
    notice = db.session.get(Notice, item.notice_id)
    assert notice.status == "submitted" and notice.category == "traffic"
    page = client.get(back).get_data(as_text=True)
    assert "gửi duyệt thông báo số" in page and f"/admin/notices/{notice.id}" in page
    public = client.get(f"/p/feedback/{item.code}").get_data(as_text=True)
    assert "Đã lắp biển báo tại ngã ba.\nCảm ơn bà con." in public


def test_a_refused_answer_keeps_what_was_typed(client, auth, officers):
    item = make_item(COMMUNE)
    auth.login("bientap@example.vn")
    response = _post(client, f"/admin/feedback/{item.id}/reply", f"/admin/feedback/{item.id}", message="   ")
    assert response.status_code == 422
    assert "Hãy viết nội dung trả lời" in response.get_data(as_text=True)
    assert db.session.get(Feedback, item.id).status == "new"


def test_reply_without_csrf_is_refused(client, auth, officers):
    item = make_item(COMMUNE)
    auth.login("bientap@example.vn")
    assert client.post(f"/admin/feedback/{item.id}/reply", data={"message": "Xong"}).status_code == 400
    assert db.session.get(Feedback, item.id).answer is None


def test_status_buttons_take_close_and_reopen(client, auth, officers):
    item = make_item(COMMUNE)
    auth.login("bientap@example.vn")
    back = f"/admin/feedback/{item.id}"
    assert "Nhận xử lý" in client.get(back).get_data(as_text=True)
    _post(client, f"/admin/feedback/{item.id}/status", back, status="in_progress")
    assert db.session.get(Feedback, item.id).status == "in_progress"
    _post(client, f"/admin/feedback/{item.id}/status", back, status="closed")
    assert db.session.get(Feedback, item.id).status == "closed"
    page = client.get(back).get_data(as_text=True)
    assert "Mở lại để xử lý tiếp" in page and "Lưu câu trả lời" not in page
    response = _post(client, f"/admin/feedback/{item.id}/status", back, status="answered")
    assert response.status_code == 302
    assert "hãy gửi câu trả lời để chuyển sang" in client.get(back).get_data(as_text=True)
    assert db.session.get(Feedback, item.id).status == "closed"
    _post(client, f"/admin/feedback/{item.id}/status", back, status="in_progress")
    assert db.session.get(Feedback, item.id).status == "in_progress"


def test_erase_from_the_item_page(client, auth, app, officers):
    item = make_item(COMMUNE, photo=media_factory.jpeg(gps=True))
    auth.login("xa@example.vn")
    back = f"/admin/feedback/{item.id}"
    assert _post(client, f"/admin/feedback/{item.id}/erase", back).status_code == 302
    item = db.session.get(Feedback, item.id)
    assert (item.name, item.phone, item.photo_sha256) == (None, None, None)
    assert stored_files(app.config["FEEDBACK_PHOTO_DIR"]) == []
    page = client.get(back).get_data(as_text=True)
    assert "Trần Văn Nam" not in page and 'data-testid="erased"' in page
    assert "Xóa dữ liệu cá nhân của người phản ánh" in page, "the history names the erasure"
    assert client.get(f"/admin/feedback/{item.id}/photo").status_code == 404


def test_overdue_items_are_flagged_and_filtered(client, auth, officers):
    fresh = make_item(COMMUNE, text="Phản ánh mới gửi hôm nay về tiếng ồn.")
    late = make_item(COMMUNE, text="Phản ánh cũ về cống thoát nước chưa ai trả lời.")
    late.created_at = utcnow() - timedelta(days=12)
    db.session.commit()
    auth.login("xem@example.vn")
    html = client.get("/admin/feedback").get_data(as_text=True)
    assert html.count('data-testid="overdue"') == 1
    only_late = client.get("/admin/feedback?overdue=1").get_data(as_text=True)
    assert late.code in only_late and fresh.code not in only_late
    oldest = client.get("/admin/feedback?order=oldest").get_data(as_text=True)
    assert oldest.index(late.code) < oldest.index(fresh.code)
    assert "Đã quá hạn trả lời" in client.get(f"/admin/feedback/{late.id}").get_data(as_text=True)
    assert client.get("/admin/feedback?status=answered").get_data(as_text=True).count('data-testid="feedback-row"') == 0


def test_overdue_rule_with_a_fixed_clock(officers):
    national = officers["national"]
    item = make_item(COMMUNE)
    received = item.created_at
    assert not feedback_service.is_overdue(item, received + timedelta(days=10))
    assert feedback_service.is_overdue(item, received + timedelta(days=10, seconds=1))
    later = received + timedelta(days=11)
    query = feedback_service.feedback_query(national, overdue=True, now=later)
    assert db.session.scalars(query).all() == [item]
    assert feedback_service.waiting_count(national, received + timedelta(days=1)) == 1, "new counts"
    item.status = "in_progress"
    db.session.commit()
    assert feedback_service.waiting_count(national, received + timedelta(days=1)) == 0
    assert feedback_service.waiting_count(national, later) == 1, "overdue counts"


def test_audit_labels_are_vietnamese(client, auth, officers):
    make_item(COMMUNE)
    auth.login("root@example.vn")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Nhận phản ánh, kiến nghị" in html and "citizen" in html
