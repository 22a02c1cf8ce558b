"""/api/v1/feedback: scoped lists, answers published through approval, status changes, erasing personal data."""

from datetime import timedelta

from sqlalchemy import select

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Feedback, Notice
from kiosk_server.models.base import utcnow
from kiosk_server.services.content import notices
from tests import media_factory
from tests.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, bearer
from tests.feedback_helpers import make_item, stored_files
from tests.web.test_api import assert_error


def _reply(client, token, item_id, message="Đã báo điện lực thay bóng đèn trong tuần này.", publish=False):
    return client.post(f"/api/v1/feedback/{item_id}/reply", json={"message": message, "publish": publish},
                       headers=bearer(token))


def _status(client, token, item_id, status):
    return client.post(f"/api/v1/feedback/{item_id}/status", json={"status": status}, headers=bearer(token))


def _age(item: Feedback, days: float) -> None:
    item.created_at = utcnow() - timedelta(days=days)
    db.session.commit()


# --- reading ------------------------------------------------------------------------------------

def test_list_is_scoped_and_carries_personal_data(client, tokens):
    mine = make_item(COMMUNE)
    other = make_item(OTHER_COMMUNE, name="Người Cao Bằng")
    response = client.get(f"/api/v1/feedback?unit={COMMUNE}", headers=bearer(tokens["editor"]))
    assert response.status_code == 200
    items = response.get_json()
    assert [i["id"] for i in items] == [mine.id]
    assert items[0]["name"] == "Trần Văn Nam" and items[0]["phone"] == "0912345678"
    assert items[0]["status"] == "new" and items[0]["overdue"] is False
    assert items[0]["tracking_url"].endswith(f"/p/feedback/{mine.code}")

    everything = client.get("/api/v1/feedback", headers=bearer(tokens["province_admin"])).get_json()
    assert [i["id"] for i in everything] == [mine.id], "the province sees its communes, not Cao Bằng"
    assert [i["id"] for i in client.get("/api/v1/feedback", headers=bearer(tokens["other_admin"])).get_json()] == [other.id]
    national = client.get("/api/v1/feedback?order=oldest", headers=bearer(tokens["national"])).get_json()
    assert [i["id"] for i in national] == [mine.id, other.id]


def test_list_filters_and_refusals(client, tokens):
    fresh = make_item(COMMUNE)
    late = make_item(COMMUNE, text="Rác thải đổ trộm bên bờ suối đã lâu.")
    _age(late, 11)
    token = bearer(tokens["viewer"])
    assert [i["id"] for i in client.get("/api/v1/feedback?overdue=true", headers=token).get_json()] == [late.id]
    assert [i["id"] for i in client.get("/api/v1/feedback?status=new&order=oldest", headers=token).get_json()] == [
        late.id, fresh.id]
    assert client.get("/api/v1/feedback?status=closed", headers=token).get_json() == []
    assert client.get(f"/api/v1/feedback?unit={PROVINCE}", headers=bearer(tokens["province_admin"])).status_code == 200

    assert "status" in assert_error(client.get("/api/v1/feedback?status=open", headers=token), 422)["fields"]
    assert assert_error(client.get(f"/api/v1/feedback?unit={OTHER_COMMUNE}", headers=token), 403, "out_of_scope")
    assert "unit" in assert_error(client.get("/api/v1/feedback?unit=99999", headers=token), 404, "unknown_unit")["fields"]
    assert_error(client.get("/api/v1/feedback?colour=red", headers=token), 422)
    assert_error(client.get("/api/v1/feedback"), 401)


def test_one_item_outside_scope_is_404(client, tokens):
    item = make_item(COMMUNE, photo=media_factory.jpeg())
    assert client.get(f"/api/v1/feedback/{item.id}", headers=bearer(tokens["approver"])).get_json()["has_photo"]
    for path in (f"/api/v1/feedback/{item.id}", f"/api/v1/feedback/{item.id}/photo"):
        error = assert_error(client.get(path, headers=bearer(tokens["other_admin"])), 404, "not_found")
        assert "Không tìm thấy phản ánh" in error["message"]
    assert_error(_reply(client, tokens["other_admin"], item.id), 404)
    assert_error(client.get("/api/v1/feedback/999999", headers=bearer(tokens["viewer"])), 404)


def test_photo_is_served_to_officers_in_scope_only(client, tokens):
    item = make_item(COMMUNE, photo=media_factory.jpeg(200, 100, gps=True))
    response = client.get(f"/api/v1/feedback/{item.id}/photo", headers=bearer(tokens["editor"]), buffered=True)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"\xff\xd8\xff")
    assert client.get(f"/media/{item.photo_sha256}").status_code == 404
    assert_error(client.get(f"/api/v1/feedback/{item.id}/photo"), 401)
    assert_error(client.get(f"/api/v1/feedback/{item.id}/photo", headers=bearer(tokens["viewer"])), 403, "personal_data")


# --- answering ----------------------------------------------------------------------------------

def test_reply_without_publishing(client, tokens):
    item = make_item(COMMUNE)
    response = _reply(client, tokens["editor"], item.id)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "answered" and body["notice_id"] is None
    assert body["answer"].startswith("Đã báo điện lực") and body["answered_by"] == "bientap@example.vn"
    page = client.get(f"/p/feedback/{item.code}").get_data(as_text=True)
    assert "Đã báo điện lực thay bóng đèn" in page and "Đã trả lời" in page
    assert db.session.scalar(select(Notice.id)) is None


def test_reply_published_goes_through_approval_by_another_officer(client, tokens):
    item = make_item(COMMUNE, text="Xin hỏi lịch tiêm phòng cho trẻ tháng này <b>ở đâu</b>?", category="health",
                     name="Lý Thị Mai", phone="0977111222", photo=media_factory.png())
    response = _reply(client, tokens["commune_admin"], item.id, "Tiêm tại trạm y tế phường, sáng thứ Năm.", publish=True)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "answered" and isinstance(body["notice_id"], int)

    notice = db.session.get(Notice, body["notice_id"])
    assert notice.status == "submitted" and notice.unit_code == COMMUNE and notice.category == "health"
    assert notice.author.email == "xa@example.vn"
    content = notices.head(notice).content
    assert "Xin hỏi lịch tiêm phòng" in content["body"] and "Tiêm tại trạm y tế phường" in content["body"]
    assert "&lt;b&gt;ở đâu&lt;/b&gt;" in content["body"], "the citizen's markup stays text"
    for secret in ("Lý Thị Mai", "0977111222", item.photo_sha256):
        assert secret not in content["body"] and secret not in content["title"]
    assert content["media_ids"] == []

    own = client.post(f"/api/v1/notices/{notice.id}/approve", headers=bearer(tokens["commune_admin"]))
    assert_error(own, 403, "self_approval")
    approved = client.post(f"/api/v1/notices/{notice.id}/approve", headers=bearer(tokens["approver"]))
    assert approved.status_code == 200 and approved.get_json()["status"] == "published"
    public = client.get(f"/n/{notice.id}").get_data(as_text=True)
    assert "Tiêm tại trạm y tế phường" in public and "Lý Thị Mai" not in public

    again = _reply(client, tokens["commune_admin"], item.id, "Bổ sung: mang sổ tiêm chủng.", publish=True)
    assert "thông báo số" in assert_error(again, 409, "already_published")["message"]
    assert db.session.get(Feedback, item.id).answer == "Tiêm tại trạm y tế phường, sáng thứ Năm."


def test_published_answer_to_other_goes_out_as_a_local_announcement(client, tokens):
    item = make_item(COMMUNE, category="other")
    notice_id = _reply(client, tokens["editor"], item.id, publish=True).get_json()["notice_id"]
    assert db.session.get(Notice, notice_id).category == "local"


def test_reply_refusals(client, tokens):
    item = make_item(COMMUNE)
    assert "message" in assert_error(_reply(client, tokens["editor"], item.id, "   "), 422)["fields"]
    missing = client.post(f"/api/v1/feedback/{item.id}/reply", json={"publish": True}, headers=bearer(tokens["editor"]))
    assert assert_error(missing, 422)["fields"]["message"] == "Trường này là bắt buộc."
    assert_error(_reply(client, tokens["editor"], item.id, "x" * 5001), 422)
    assert_error(_reply(client, tokens["viewer"], item.id), 403)
    text = client.post(f"/api/v1/feedback/{item.id}/reply", data="message=hi", headers=bearer(tokens["editor"]),
                       content_type="application/x-www-form-urlencoded")
    assert_error(text, 415)
    assert _status(client, tokens["editor"], item.id, "closed").status_code == 200
    assert "mở lại" in assert_error(_reply(client, tokens["editor"], item.id), 409, "invalid_transition")["message"]
    assert db.session.get(Feedback, item.id).answer is None
    assert db.session.scalar(select(Notice.id)) is None, "nothing published from a refused reply"


# --- status ---------------------------------------------------------------------------------------

def test_status_moves_and_reopens(client, tokens):
    item = make_item(COMMUNE)
    token = tokens["editor"]
    assert _status(client, token, item.id, "in_progress").get_json()["status"] == "in_progress"
    assert_error(_status(client, token, item.id, "answered"), 422)
    assert_error(_status(client, token, item.id, "new"), 409, "invalid_transition")
    assert _reply(client, token, item.id).status_code == 200
    assert _status(client, token, item.id, "closed").get_json()["status"] == "closed"
    assert_error(_status(client, token, item.id, "answered"), 409, "invalid_transition")
    assert _status(client, token, item.id, "in_progress").get_json()["status"] == "in_progress", "reopened"
    assert _status(client, token, item.id, "answered").get_json()["status"] == "answered", "it has an answer"
    assert _status(client, token, item.id, "answered").status_code == 200, "the same status again is no change"
    assert_error(_status(client, token, item.id, "done"), 422)
    assert_error(_status(client, tokens["viewer"], item.id, "closed"), 403)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "feedback")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["feedback.create", "feedback.status", "feedback.reply", "feedback.status", "feedback.status",
                       "feedback.status"]


def test_answered_status_needs_an_answer(client, tokens):
    item = make_item(COMMUNE)
    error = assert_error(_status(client, tokens["editor"], item.id, "answered"), 422)
    assert "câu trả lời" in error["message"]


def test_overdue_flag_follows_the_configured_days(client, app, tokens):
    item = make_item(COMMUNE)
    _age(item, 10.5)
    assert client.get(f"/api/v1/feedback/{item.id}", headers=bearer(tokens["viewer"])).get_json()["overdue"] is True
    app.config["FEEDBACK_DUE_DAYS"] = 15
    assert client.get(f"/api/v1/feedback/{item.id}", headers=bearer(tokens["viewer"])).get_json()["overdue"] is False
    app.config["FEEDBACK_DUE_DAYS"] = 10
    _reply(client, tokens["editor"], item.id)
    assert client.get(f"/api/v1/feedback/{item.id}", headers=bearer(tokens["viewer"])).get_json()["overdue"] is False


# --- personal data --------------------------------------------------------------------------------

def test_erase_removes_name_phone_and_photo_object(client, app, tokens):
    item = make_item(COMMUNE, photo=media_factory.jpeg(gps=True))
    _reply(client, tokens["editor"], item.id)
    sha = item.photo_sha256
    assert [p.name for p in stored_files(app.config["FEEDBACK_PHOTO_DIR"])] == [sha]

    response = client.post(f"/api/v1/feedback/{item.id}/erase-personal-data", headers=bearer(tokens["editor"]))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["phone"], body["has_photo"], body["photo_url"]) == (None, None, False, None)
    assert body["personal_data_erased_at"]
    assert body["text"] == item.text and body["answer"].startswith("Đã báo điện lực"), "question and answer stay"
    assert stored_files(app.config["FEEDBACK_PHOTO_DIR"]) == []
    assert_error(client.get(f"/api/v1/feedback/{item.id}/photo", headers=bearer(tokens["editor"])), 404)

    again = client.post(f"/api/v1/feedback/{item.id}/erase-personal-data", headers=bearer(tokens["editor"]))
    assert again.status_code == 200
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "feedback.erase")).all()
    assert len(entries) == 1 and entries[0].actor == "bientap@example.vn"
    log = " ".join(str((e.before, e.after)) for e in db.session.scalars(select(AuditEntry)))
    assert "Trần Văn Nam" not in log and "0912345678" not in log and sha not in log
    assert_error(client.post(f"/api/v1/feedback/{item.id}/erase-personal-data", headers=bearer(tokens["viewer"])), 403)


def test_erase_keeps_a_photo_another_item_still_holds(client, app, tokens):
    photo = media_factory.png(90, 70)
    first = make_item(COMMUNE, photo=photo)
    second = make_item(COMMUNE, photo=photo, text="Cùng một ảnh, một phản ánh khác.")
    assert first.photo_sha256 == second.photo_sha256
    client.post(f"/api/v1/feedback/{first.id}/erase-personal-data", headers=bearer(tokens["editor"]))
    assert [p.name for p in stored_files(app.config["FEEDBACK_PHOTO_DIR"])] == [second.photo_sha256]
    photo = client.get(f"/api/v1/feedback/{second.id}/photo", headers=bearer(tokens["editor"]), buffered=True)
    assert photo.status_code == 200


def test_openapi_documents_feedback(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/feedback", "/api/v1/feedback/{feedback_id}", "/api/v1/feedback/{feedback_id}/reply",
                 "/api/v1/feedback/{feedback_id}/status", "/api/v1/feedback/{feedback_id}/erase-personal-data"):
        assert path in spec["paths"]
    tag = next(t for t in spec["tags"] if t["name"] == "api_feedback")
    assert "Personal data" in tag["description"]
