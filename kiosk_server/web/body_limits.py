"""The request body limit of each route, applied before anything (CSRF, forms, JSON) reads the body.

Anonymous callers may send a small form (MAX_FORM_KB) and nothing bigger: a 500 MB post to /login or
to an upload route is refused with 413 from its Content-Length alone, before a byte is read. Only a
signed-in officer (session cookie, or a valid API token under /api) gets the upload limit, and only
on a route marked `accepts_upload`. A route may set its own limit with `body_limit` (the citizens'
feedback form takes a photo from anyone). A body without Content-Length (chunked) is counted as it
streams and refused with 413 once past the limit: werkzeug alone would cut a form body there
silently and hand the view a truncated form.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge


class CappedInput:
    """A WSGI input stream that raises 413 once more than `limit` bytes were read from it."""

    def __init__(self, stream, limit: int):
        self.stream = stream
        self.limit = limit
        self.seen = 0

    def _count(self, data: bytes) -> bytes:
        self.seen += len(data)
        if self.seen > self.limit:
            raise RequestEntityTooLarge()
        return data

    def read(self, size: int = -1) -> bytes:
        return self._count(self.stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._count(self.stream.readline(size))

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def accepts_upload(view):
    """Mark `view` as taking a large upload from a signed-in officer (KIOSK_MAX_UPLOAD_MB)."""
    view.accepts_upload = True
    return view


def body_limit(limit: Callable[[], int]):
    """Give `view` a body limit of its own, in bytes, for anyone; the view answers an oversize itself."""

    def decorate(view):
        view.body_limit = limit
        return view

    return decorate


def _signed_in() -> bool:
    if request.path.startswith("/api/"):
        from kiosk_server.services.core import tokens
        from kiosk_server.web.api.auth import bearer_token

        plain = bearer_token()
        return bool(plain) and tokens.user_for_token(plain) is not None
    return bool(current_user.is_authenticated)


def limit_for_request(app: Flask) -> tuple[int, bool]:
    """Return (the body limit in bytes for this request, whether the view answers an oversize itself)."""
    view = app.view_functions.get(request.endpoint or "")
    own = getattr(view, "body_limit", None)
    if own is not None:
        return int(own()), True
    form_limit = int(app.config["MAX_FORM_KB"]) * 1024
    small = request.content_length is not None and request.content_length <= form_limit
    # Only a body that may be an upload makes us look up who is calling.
    if getattr(view, "accepts_upload", False) and not small and _signed_in():
        return int(app.config["MAX_CONTENT_LENGTH"]), False
    return form_limit, False


def _limit_body() -> None:
    limit, answers_itself = limit_for_request(current_app)
    request.max_content_length = limit
    if request.content_length is None and "wsgi.input_terminated" in request.environ:
        # werkzeug reads at most max_content_length: one byte more tells a body that is too long.
        request.environ["wsgi.input"] = CappedInput(request.environ["wsgi.input"], limit)
        request.max_content_length = limit + 1
    elif not answers_itself and (request.content_length or 0) > limit:
        abort(413)


def install(app: Flask) -> None:
    """Run the body limit before every other request hook (CSRFProtect's reads `request.form`)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)
