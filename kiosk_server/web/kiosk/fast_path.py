"""A WSGI shortcut for the commonest request of the system: a kiosk asking "has my manifest changed?".

Every screen asks on every reconnect, and a thousand screens come back together after an outage. The
answer is almost always 304, decided by one indexed lookup (token hash -> id, version). Going through
Flask (contexts, extensions, ORM) costs more than that lookup; this middleware answers the 304 with a
single Core query and lets everything else (a changed version, an unknown token, a kiosk whose
last_seen is due for an update) go through the normal view, which stays the one source of truth.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from kiosk_server.database import DATABASE_AWAY
from kiosk_server.domain import targeting
from kiosk_server.domain.secrets import token_hash

PATH = "/kiosk/manifest"

_LOOKUP = text("SELECT id, manifest_version, last_seen FROM kiosks WHERE token_hash = :h AND revoked_at IS NULL")


def _aware(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text through a plain text() query
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class ManifestNotModified:
    """Answer `GET /kiosk/manifest` with 304 when the kiosk's If-None-Match is current."""

    def __init__(self, wsgi_app, engine_getter):
        self.wsgi_app = wsgi_app
        self.engine_getter = engine_getter
        self._engine = None

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "GET":
            try:
                etag = self._current_etag(environ)
            except DATABASE_AWAY:
                etag = None  # the view answers, with the 503 and Retry-After of every route (web/errors.py)
            if etag is not None:
                start_response("304 NOT MODIFIED", [("ETag", etag), ("Cache-Control", "no-cache")])
                return [b""]
        return self.wsgi_app(environ, start_response)

    def _current_etag(self, environ) -> str | None:
        """Return the kiosk's ETag when If-None-Match names it and nothing needs writing; else None."""
        wanted = environ.get("HTTP_IF_NONE_MATCH", "")
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = auth.partition(" ")
        if not wanted or scheme.lower() != "bearer" or not token.strip():
            return None
        if self._engine is None:
            self._engine = self.engine_getter()
        digest = token_hash(token.strip())
        with self._engine.connect() as conn:
            row = conn.execute(_LOOKUP, {"h": digest}).first()
        if row is None:
            return None
        if targeting.seen_is_due(_aware(row.last_seen), datetime.now(UTC)):
            return None  # the view writes last_seen
        etag = targeting.manifest_etag(row.id, row.manifest_version)
        return etag if etag in [t.strip() for t in wanted.split(",")] else None
