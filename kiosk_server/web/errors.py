"""Error responses: the contract's JSON shape under /api, a Vietnamese page everywhere else."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from kiosk_server.database import DATABASE_AWAY, first_line
from kiosk_server.services.core import metrics
from kiosk_server.services.core.errors import (
    Conflict,
    Forbidden,
    InsufficientStorage,
    NotFound,
    ServiceError,
    StaleVersion,
    ValidationFailed,
    VersionRequired,
)

# What an officer reads for each status, when the code that refused said nothing more precise.
_MESSAGES = {
    400: _l("Yêu cầu không hợp lệ."),
    401: _l("Cần đăng nhập hoặc mã truy cập hợp lệ."),
    403: _l("Bạn không có quyền thực hiện thao tác này."),
    404: _l("Không tìm thấy trang hoặc đối tượng được yêu cầu."),
    405: _l("Phương thức này không được hỗ trợ tại địa chỉ này."),
    409: _l("Xung đột với dữ liệu hiện có."),
    412: _l("Dữ liệu đã bị người khác thay đổi; hãy tải lại rồi sửa tiếp."),
    413: _l("Nội dung gửi lên quá lớn."),
    415: _l("Kiểu nội dung không được hỗ trợ."),
    422: _l("Dữ liệu chưa hợp lệ; xem lỗi của từng trường."),
    428: _l("Thiếu tiêu đề If-Match với phiên bản đang sửa."),
    429: _l("Bạn thao tác quá nhanh; hãy đợi một lát rồi thử lại."),
    500: _l("Hệ thống gặp lỗi; lỗi đã được ghi lại."),
}

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
}

# The HTTP answer to each refusal of a use case: services say what went wrong, the web says how.
_SERVICE_STATUSES: dict[type[ServiceError], int] = {
    ValidationFailed: 422,
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    StaleVersion: 412,
    VersionRequired: 428,
    InsufficientStorage: 507,  # the disk, not the request: the officer frees space or calls an admin
}


def status_for(error: ServiceError) -> int:
    """Return the HTTP status of a service error (a web-layer error may carry its own `status`)."""
    for cls in type(error).__mro__:
        if cls in _SERVICE_STATUSES:
            return _SERVICE_STATUSES[cls]
        if "status" in vars(cls):
            return cls.status
    return 400


# marshmallow's and webargs' English messages, as an officer reads them.
_FIELD_MESSAGES = {
    "Missing data for required field.": _l("Trường này là bắt buộc."),
    "Field may not be null.": _l("Trường này không được để trống."),
    "Unknown field.": _l("Trường này không được hỗ trợ."),
    "Not a valid string.": _l("Phải là chuỗi ký tự."),
    "Not a valid integer.": _l("Phải là số nguyên."),
    "Not a valid number.": _l("Phải là số."),
    "Not a valid boolean.": _l("Phải là true hoặc false."),
    "Not a valid list.": _l("Phải là một danh sách."),
    "Not a valid mapping type.": _l("Phải là một đối tượng JSON."),
    "Not a valid email address.": _l("Địa chỉ email không hợp lệ."),
    "Not a valid datetime.": _l("Thời điểm không hợp lệ (dùng ISO 8601)."),
    "Not a valid URL.": _l("Địa chỉ URL không hợp lệ."),
    "Invalid input type.": _l("Kiểu dữ liệu không hợp lệ."),
    "Invalid JSON body.": _l("Nội dung JSON không đọc được."),
    "Shorter than minimum length 1.": _l("Không được để trống."),
}


def api_error(status: int, message: Any = None, fields: dict | None = None, code: str | None = None):
    """Return the contract's error response: {"error": {"code", "message", "fields"}}."""
    body = {
        "error": {
            "code": code or _CODES.get(status, "error"),
            "message": str(message or _MESSAGES.get(status, _MESSAGES[400])),
            "fields": {k: _field_text(v) for k, v in (fields or {}).items()},
        }
    }
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kiosk"'
    return response


def _field_text(value: Any) -> str:
    """Return one readable sentence for a field's error(s), translated where we know the text."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_field_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return " ".join(_field_text(v) for v in value)
    text = str(value)
    known = _FIELD_MESSAGES.get(text)
    if known is not None:
        return str(known)
    if text.startswith("Must be one of"):
        return _("Giá trị không nằm trong danh sách cho phép.")
    if text.startswith(("Longer than", "Length must")):
        return _("Độ dài không hợp lệ.")
    if text.startswith(("Must be greater", "Must be less", "Must be at")):
        return _("Giá trị nằm ngoài khoảng cho phép.")
    return text


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.startswith("/kiosk/") or (
        request.accept_mimetypes.best == "application/json"
    )


def _fields_from_webargs(error: HTTPException) -> dict:
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or {}
    fields: dict = {}
    for location, per_field in messages.items():
        if isinstance(per_field, dict):
            fields.update(per_field)
        else:
            fields["_" + location] = per_field
    return fields


PUBLIC_PREFIXES = ("/n/", "/p/", "/q/")


def _page(status: int, message) -> tuple[str, int]:
    # Citizens never see the officers' navigation: public paths get the public layout.
    template = "public/error.html" if request.path.startswith(PUBLIC_PREFIXES) else "error.html"
    return render_template(template, status=status, message=message), status


def handle_http(error: HTTPException):
    status = error.code or 500
    if _wants_json():
        fields = _fields_from_webargs(error)
        message = None
        if status == 400 and "_json" in fields:
            message = _("Nội dung JSON không đọc được; hãy kiểm tra cú pháp.")
        if status == 413:
            message = _("Nội dung gửi lên quá lớn.")
        if isinstance(error, CSRFError):
            message = _("Phiên làm việc đã hết hạn; hãy tải lại trang rồi thử lại.")
        response = api_error(status, message, fields)
        if status == 429 and getattr(error, "retry_after", None):
            response.headers["Retry-After"] = str(int(error.retry_after))
        return response
    message = _MESSAGES.get(status, _MESSAGES[400])
    if isinstance(error, CSRFError):
        message = _("Phiên làm việc đã hết hạn; hãy tải lại trang rồi thử lại.")
    return _page(status, message)


def handle_service(error: ServiceError):
    if _wants_json():
        return api_error(status_for(error), error.message, error.fields, error.code)
    return _page(status_for(error), error.message)


def handle_database_away(error: Exception):
    """Return 503 with Retry-After: the contract's JSON error, or a page that needs no database."""
    metrics.error("database")
    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, first_line(error))
    retry_after = int(current_app.config.get("DATABASE_RETRY_AFTER") or 10)
    # The usual locale selector asks the signed-in officer's preference of the database.
    locale = _locale_without_database()
    with force_locale(locale):
        message = _("Kho dữ liệu tạm thời không truy cập được; hãy thử lại sau khoảng %(seconds)s giây.",
                    seconds=retry_after)
        if _wants_json():
            response = api_error(503, message, code="database_unavailable")
        else:
            # Rendered without the context processors: Flask-Login's would ask the database who is signed in.
            page = current_app.jinja_env.get_template("unavailable.html").render(
                status=503, message=message, current_locale=lambda: locale)
            response = current_app.make_response((page, 503))
    response.headers["Retry-After"] = g.database_retry_after = str(retry_after)
    return response


def keep_database_retry_after(response):
    """Put back the database's Retry-After on its 503 after Flask-Limiter's headers.

    Flask-Limiter sets Retry-After to what is left of its own window (up to a minute) on every limited
    route; a screen or script told to come back in a minute would wait longer than the outage needs.
    """
    retry_after = g.get("database_retry_after")
    if retry_after and response.status_code == 503:
        response.headers["Retry-After"] = retry_after
    return response


def _locale_without_database() -> str:
    chosen = request.cookies.get("lang")
    return chosen if chosen in current_app.config.get("LANGUAGES", ("vi",)) else "vi"


def handle_unexpected(error: Exception):
    # A 5xx is a bug: log it with its traceback, show a calm page, never the trace.
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http(InternalServerError())


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(ServiceError, handle_service)
    for away in DATABASE_AWAY:
        app.register_error_handler(away, handle_database_away)
    if not app.config.get("PROPAGATE_EXCEPTIONS") and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
