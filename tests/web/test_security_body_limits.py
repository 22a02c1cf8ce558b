"""Issue 10, item 3: a body is limited by route before anything (CSRF, forms, JSON) reads it."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from kiosk_server.extensions import db
from kiosk_server.models import Media
from tests.conftest import bearer
from tests.web.test_api import assert_error

FORM_LIMIT = 1024 * 1024  # MAX_FORM_KB's default
MIDDLING = 20 * 1024 * 1024  # over the form limit, under the upload limit
BIG = 600 * 1024 * 1024  # a claimed 600 MB: over the upload limit too


class CountingStream(io.RawIOBase):
    """A request body of `size` bytes of junk that records how much of it the server read."""

    def __init__(self, size: int, head: bytes = b"", tail: bytes = b""):
        self.head, self.tail = head, tail
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset if whence == 0 else (self.position + offset if whence == 1 else self.size + offset)
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        body = self.head + b"a" * (self.size - len(self.head) - len(self.tail)) + self.tail \
            if self.head or self.tail else None
        buffer[:n] = body[self.position:self.position + n] if body is not None else b"a" * n
        self.position += n
        self.read_bytes += n
        return n


def _post(client, path: str, size: int, *, chunked: bool = False, headers: dict | None = None,
          content_type: str = "multipart/form-data; boundary=xyz", file_part: bool = False):
    head = tail = b""
    if file_part:  # a real multipart upload of junk, as a browser would send
        head = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="junk.bin"\r\n'
                b"Content-Type: application/octet-stream\r\n\r\n")
        tail = b"\r\n--xyz--\r\n"
    stream = CountingStream(size, head, tail)
    builder = EnvironBuilder(path=path, method="POST", input_stream=stream, content_type=content_type,
                             content_length=None if chunked else size, headers=headers or {})
    environ = builder.get_environ()
    if chunked:
        environ.pop("CONTENT_LENGTH", None)
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input_terminated"] = True
    return client.open(Request(environ)), stream


def _media_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Media))


@pytest.mark.parametrize("path", ["/login", "/admin/media/upload", "/logout", "/kiosk/pairing"])
def test_anonymous_big_post_is_413_before_a_byte_is_read(client, officers, path):
    response, stream = _post(client, path, MIDDLING)
    assert response.status_code == 413
    assert "Nội dung gửi lên quá lớn" in response.get_data(as_text=True) or response.is_json
    assert stream.read_bytes == 0
    assert _media_count() == 0


def test_anonymous_post_just_over_the_form_limit_is_413_as_a_vietnamese_page(client):
    response, stream = _post(client, "/login", FORM_LIMIT + 1, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "Nội dung gửi lên quá lớn" in response.get_data(as_text=True)
    assert stream.read_bytes == 0


def test_anonymous_upload_to_the_api_is_413_in_the_contract_shape(client, officers):
    response, stream = _post(client, "/api/v1/media", MIDDLING)
    assert_error(response, 413, "too_large")
    assert stream.read_bytes == 0
    response, stream = _post(client, "/api/v1/media", MIDDLING, headers=bearer("not-a-token"))
    assert_error(response, 413, "too_large")
    assert stream.read_bytes == 0
    assert _media_count() == 0


def test_chunked_anonymous_body_is_cut_at_the_form_limit(client):
    response, stream = _post(client, "/login", 50 * 1024 * 1024, chunked=True,
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert FORM_LIMIT < stream.read_bytes <= FORM_LIMIT + 64 * 1024  # read no further than past the limit


def test_signed_in_officer_posting_big_to_a_form_route_gets_413(client, auth, officers):
    auth.login("bientap@example.vn")
    response, stream = _post(client, "/admin/notices/new", FORM_LIMIT + 1,
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert stream.read_bytes == 0


def test_signed_in_officer_may_upload_more_than_the_form_limit(client, auth, officers):
    auth.login("bientap@example.vn")
    response, stream = _post(client, "/admin/media/upload", 2 * FORM_LIMIT, file_part=True)
    # The junk is read (as an upload may be) and refused as a bad form, not as too large.
    assert response.status_code != 413
    assert stream.read_bytes > FORM_LIMIT


def test_signed_in_upload_over_the_upload_limit_is_413_unread(client, auth, officers):
    auth.login("bientap@example.vn")
    response, stream = _post(client, "/admin/media/upload", BIG)
    assert response.status_code == 413
    assert stream.read_bytes == 0
    assert _media_count() == 0


def test_api_token_holder_may_upload_more_than_the_form_limit(client, tokens):
    response, stream = _post(client, "/api/v1/media", 2 * FORM_LIMIT, headers=bearer(tokens["editor"]),
                             file_part=True)
    assert response.status_code != 413
    assert stream.read_bytes > FORM_LIMIT
