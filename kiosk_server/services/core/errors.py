"""Errors a use case raises for an officer to read: a code, a message and the fields at fault."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refusal with a reason; the web layer (web/errors.py) chooses its 4xx and the contract's shape."""

    code = "bad_request"

    def __init__(self, message: Any, fields: dict[str, Any] | None = None, *, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(ServiceError):
    code = "validation_error"


class NotFound(ServiceError):
    code = "not_found"


class Forbidden(ServiceError):
    code = "forbidden"


class Conflict(ServiceError):
    code = "conflict"


class StaleVersion(ServiceError):
    """The caller edited a version that is no longer the latest (or named no version at all)."""

    code = "stale_version"


class VersionRequired(ServiceError):
    """The caller did not say which version it edited, so a save could overwrite someone else's."""

    code = "if_match_required"


class InsufficientStorage(ServiceError):
    """The disk that keeps the file has no room for it; nothing of it was kept."""

    code = "insufficient_storage"
