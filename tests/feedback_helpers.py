"""Helpers for feedback tests: submitting the public form, tracking codes, counts, stored files, ready items."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, Feedback

GOOD_TEXT = "Đèn đường ở tổ 5 bị hỏng từ tuần trước, buổi tối rất tối và nguy hiểm."


def form_token(client, path: str) -> str:
    """Return the CSRF token of the form at `path`."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def submit(client, unit_code: str, *, token: bool = True, photo: tuple[bytes, str] | None = None, **fields):
    """Post the public form of `unit_code` as a browser without JavaScript would, and return the response."""
    path = f"/p/{unit_code}/feedback"
    data = {"category": "environment", "text": GOOD_TEXT, "consent": "y", "website": "", "name": "", "phone": ""}
    data.update(fields)
    if token:
        data["csrf_token"] = form_token(client, path)
    if photo is not None:
        data["photo"] = FileStorage(io.BytesIO(photo[0]), photo[1])
    # Encoded in memory: the test client would spool a large form to a file the app never closes.
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def tracking_code(response) -> str:
    """Return the tracking code a successful submission redirected to."""
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    match = re.search(r"/p/feedback/(PA-[0-9A-Z]{4}-[0-9A-Z]{4})$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def count_feedback() -> int:
    return db.session.scalar(select(func.count()).select_from(Feedback))


def count_audit(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def stored_files(root) -> list[Path]:
    """Return every file under a store's root, temporary ones included."""
    base = Path(root)
    return [p for p in base.rglob("*") if p.is_file()] if base.exists() else []


def make_item(unit_code: str, *, photo: bytes | None = None, text: str = GOOD_TEXT, category: str = "environment",
              name: str | None = "Trần Văn Nam", phone: str | None = "0912345678") -> Feedback:
    """Store a citizen's feedback through the service, as the public form does, and return it."""
    from kiosk_server.services.feedback.feedback import submit_feedback

    upload = FileStorage(io.BytesIO(photo), "anh.jpg") if photo is not None else None
    data = {"category": category, "text": text, "name": name, "phone": phone, "consent": True}
    return submit_feedback(unit_code, data, upload)
