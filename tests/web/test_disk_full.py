"""A full media disk: uploads that do not fit answer 507 and leave nothing; free space is reported and warned of.

The full disk is real: a 1 MiB tmpfs mounted for the test (tests/small_disk.py).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from kiosk_server.extensions import db
from kiosk_server.models import Feedback, Media
from tests import media_factory as mf
from tests import small_disk as disk
from tests.conftest import COMMUNE, bearer
from tests.feedback_helpers import stored_files, submit
from tests.web.test_api import assert_error

DISK_BYTES = 1024 * 1024
TOO_LARGE = mf.random_bytes(2 * DISK_BYTES)  # random bytes: tmpfs does not compress, the probe never runs


@pytest.fixture
def small_disk(tmp_path):
    """Yield a folder on a 1 MiB tmpfs of its own, unmounted afterwards."""
    with disk.small_disk(tmp_path / "disk", DISK_BYTES) as place:
        yield place


@pytest.fixture
def full_app(app, small_disk):
    """The app with its media store and feedback photos on the small disk."""
    app.config.update(MEDIA_DIR=str(small_disk / "media"), FEEDBACK_PHOTO_DIR=str(small_disk / "photos"))
    return app


def post_form(client, path: str, fields: dict, **kwargs):
    """Post multipart encoded in memory (the test client would spool a large body to a file left open)."""
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def post_file(client, token: str, data: bytes, name: str):
    return post_form(client, "/api/v1/media", {"file": FileStorage(io.BytesIO(data), name)}, headers=bearer(token))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_api_upload_larger_than_the_disk_is_507_and_leaves_nothing(full_app, client, tokens, small_disk):
    error = assert_error(post_file(client, tokens["editor"], TOO_LARGE, "lon.mp4"), 507, "insufficient_storage")
    assert "đầy" in error["message"] and "xóa tệp cũ" in error["message"]
    assert error["fields"]["file"]
    assert files_under(small_disk) == []  # neither the store nor its .incoming folder keeps a byte
    assert count(Media) == 0

    response = post_file(client, tokens["editor"], mf.png(), "nho.png")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert count(Media) == 1
    assert [p for p in files_under(small_disk) if ".incoming" in p.parts] == []


def test_officer_upload_on_a_full_disk_shows_the_vietnamese_page(full_app, client, auth, officers, small_disk):
    auth.login("bientap@example.vn")
    token = auth.csrf("/admin/media")
    response = post_form(client, "/admin/media/upload",
                         {"file": FileStorage(io.BytesIO(TOO_LARGE), "lon.pdf"), "csrf_token": token})
    assert response.status_code == 507
    assert "Ổ lưu trữ media đã đầy" in response.get_data(as_text=True)
    assert files_under(small_disk) == []
    assert count(Media) == 0


def test_feedback_photo_on_a_full_disk_is_507_and_keeps_no_feedback(full_app, client, small_disk):
    response = submit(client, COMMUNE, photo=(TOO_LARGE, "anh.jpg"))
    assert response.status_code == 507
    assert "hết chỗ lưu ảnh" in response.get_data(as_text=True)
    assert stored_files(small_disk / "photos") == []
    assert count(Feedback) == 0
    assert submit(client, COMMUNE, photo=(mf.jpeg(), "anh.jpg")).status_code == 303


def test_healthz_reports_the_media_disk_free_bytes(full_app, client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["checks"]["database"] == "ok"
    assert 0 < body["media_free_bytes"] <= DISK_BYTES


def test_metrics_report_the_media_disk_free_bytes(full_app, client):
    text = client.get("/metrics").get_data(as_text=True)
    line = next(line for line in text.splitlines() if line.startswith("bangtin_media_free_bytes "))
    assert 0 < float(line.split()[1]) <= DISK_BYTES


@pytest.mark.parametrize("path", ["/admin/", "/admin/media"])
def test_admins_are_warned_below_the_threshold_and_editors_are_not(full_app, client, auth, officers, path):
    auth.login("xa@example.vn")
    page = client.get(path).get_data(as_text=True)
    assert 'data-testid="media-space-warning"' in page and "ngưỡng cảnh báo 1024 MB" in page
    full_app.config["MEDIA_FREE_WARN_MB"] = 0
    assert 'data-testid="media-space-warning"' not in client.get(path).get_data(as_text=True)
    full_app.config["MEDIA_FREE_WARN_MB"] = 1
    auth.logout()
    auth.login("bientap@example.vn")
    assert 'data-testid="media-space-warning"' not in client.get(path).get_data(as_text=True)
