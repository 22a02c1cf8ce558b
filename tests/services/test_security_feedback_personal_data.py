"""Citizens' personal data (name, phone, photo) is for the officers who answer feedback (editor and
above, in scope): viewers never get it, in the UI or the API; and an erasure leaves no copy of it in any
table, the append-only audit log included."""

import json

from sqlalchemy import String, Text, func, select
from sqlalchemy.types import JSON

from kiosk_server.extensions import db
from kiosk_server.models import Feedback, Notice
from tests import media_factory
from tests.conftest import COMMUNE, bearer
from tests.feedback_helpers import stored_files, submit, tracking_code

NAME = "Hoàng Thị Quỳnh Nga"
PHONE = "0987654321"


def citizen_item(client, **fields) -> Feedback:
    code = tracking_code(submit(client, COMMUNE, name=NAME, phone=PHONE, photo=(media_factory.jpeg(120, 90), "a.jpg"),
                                **fields))
    return db.session.scalar(select(Feedback).where(Feedback.code == code))


def rows_holding(*needles: str) -> list[tuple[str, str, str]]:
    """Return (table, column, value) for every text or JSON value in the database that holds a needle."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                if any(n in text for n in needles):
                    found.append((table.name, column.name, text[:200]))
    return found


def test_viewer_gets_no_personal_data_from_the_api(client, tokens):
    item = citizen_item(client)
    for path in ("/api/v1/feedback", f"/api/v1/feedback/{item.id}"):
        body = client.get(path, headers=bearer(tokens["viewer"])).get_json()
        text = json.dumps(body, ensure_ascii=False)
        assert NAME not in text and PHONE not in text and "/photo" not in text, text
        shown = body[0] if isinstance(body, list) else body
        assert shown["personal_data_hidden"] is True and shown["name"] is None and shown["phone"] is None
    photo = client.get(f"/api/v1/feedback/{item.id}/photo", headers=bearer(tokens["viewer"]))
    assert photo.status_code == 403 and photo.get_json()["error"]["code"] == "personal_data"

    mine = client.get(f"/api/v1/feedback/{item.id}", headers=bearer(tokens["editor"])).get_json()
    assert (mine["name"], mine["phone"], mine["personal_data_hidden"]) == (NAME, PHONE, False)
    assert client.get(mine["photo_url"], headers=bearer(tokens["editor"]), buffered=True).status_code == 200


def test_viewer_gets_no_personal_data_in_the_ui(client, auth, officers):
    item = citizen_item(client)
    auth.login("xem@example.vn")
    page = client.get(f"/admin/feedback/{item.id}").get_data(as_text=True)
    assert NAME not in page and PHONE not in page and f"/admin/feedback/{item.id}/photo" not in page
    assert "Chỉ cán bộ xử lý phản ánh mới xem được thông tin người gửi." in page
    assert client.get(f"/admin/feedback/{item.id}/photo").status_code == 403
    auth.logout()
    auth.login("bientap@example.vn")
    page = client.get(f"/admin/feedback/{item.id}").get_data(as_text=True)
    assert NAME in page and PHONE in page and f"/admin/feedback/{item.id}/photo" in page


def test_after_erasure_no_table_holds_the_name_or_phone(app, client, tokens):
    item = citizen_item(client, text="Đèn đường ở tổ 5 hỏng đã lâu, ai sửa thì gọi tôi số 0987 654 321 nhé.")
    editor = bearer(tokens["editor"])
    item_id = item.id
    assert client.post(f"/api/v1/feedback/{item_id}/status", json={"status": "in_progress"},
                       headers=editor).status_code == 200
    answer = f"Chào chị {NAME} ({PHONE}): tổ dân phố đã sửa đèn đường."
    assert client.post(f"/api/v1/feedback/{item_id}/reply", json={"message": answer, "publish": False},
                       headers=editor).status_code == 200
    assert client.post(f"/api/v1/feedback/{item_id}/erase-personal-data", headers=editor).status_code == 200

    found = rows_holding(NAME, PHONE, PHONE[1:], "654 321")
    assert found == [], found
    db.session.expire_all()
    erased = db.session.get(Feedback, item_id)
    assert "[đã xóa]" in erased.text and erased.answer.startswith("Chào chị [đã xóa] ([đã xóa])")
    assert stored_files(app.config["FEEDBACK_PHOTO_DIR"]) == []


def test_an_answer_quoting_the_sender_is_not_published(client, tokens):
    item = citizen_item(client)
    response = client.post(f"/api/v1/feedback/{item.id}/reply", headers=bearer(tokens["editor"]), json={
        "message": f"Cảm ơn chị {NAME.upper()}, đèn đã được sửa.", "publish": True})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "personal_data"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0
    assert (db.session.get(Feedback, item.id).status, db.session.get(Feedback, item.id).answer) == ("new", None)
