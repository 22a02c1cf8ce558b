"""Errors a use case raises for an officer to read: a code, a message and the fields at fault."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refusal with a reason; the web layer turns it into a 4xx with the contract's shape."""

    status = 400
    code = "bad_request"

    def __init__(self, message: Any, fields: dict[str, Any] | None = None, *, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(ServiceError):
    status = 422
    code = "validation_error"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
