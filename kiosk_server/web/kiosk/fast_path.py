"""A WSGI shortcut for the commonest request of the system: a kiosk asking "has my manifest changed?".

Every screen asks on every reconnect, and a thousand screens come back together after an outage. The
answer is almost always 304, decided by one indexed lookup (token hash -> id, version). Going through
Flask (contexts, extensions, ORM) costs more than that lookup; this middleware answers the 304 with a
single Core query and lets everything else (a changed version, an unknown token, a kiosk whose
last_seen is due for an update) go through the normal view, which stays the one source of truth.

While the database is away, a screen asking about the very version this process last found current
for its token still gets its 304, so it keeps playing without counting the outage as an error; no
version can change while the database is away. Anything else gets the 503 of every route.
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
        self._known: dict[str, str] = {}  # token hash -> the kiosk's ETag when last looked up

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "GET":
            try:
                etag = self._current_etag(environ)
            except DATABASE_AWAY:
                # The version last found for this token, or the view's 503 and Retry-After (web/errors.py).
                etag = self._remembered_etag(environ)
            if etag is not None:
                start_response("304 NOT MODIFIED", [("ETag", etag), ("Cache-Control", "no-cache")])
                return [b""]
        return self.wsgi_app(environ, start_response)

    def _current_etag(self, environ) -> str | None:
        """Return the kiosk's ETag when If-None-Match names it and nothing needs writing; else None."""
        asked = _asked(environ)
        if asked is None:
            return None
        digest, wanted = asked
        if self._engine is None:
            self._engine = self.engine_getter()
        with self._engine.connect() as conn:
            row = conn.execute(_LOOKUP, {"h": digest}).first()
        if row is None:
            self._known.pop(digest, None)  # revoked or unknown: nothing to answer from memory either
            return None
        etag = targeting.manifest_etag(row.id, row.manifest_version)
        self._known[digest] = etag
        if targeting.seen_is_due(_aware(row.last_seen), datetime.now(UTC)):
            return None  # the view writes last_seen
        return etag if etag in wanted else None

    def _remembered_etag(self, environ) -> str | None:
        """Return the ETag this process last found for the asking token, when If-None-Match names it."""
        asked = _asked(environ)
        if asked is None:
            return None
        digest, wanted = asked
        etag = self._known.get(digest)
        return etag if etag in wanted else None


def _asked(environ) -> tuple[str, list[str]] | None:
    """Return (the bearer token's hash, the ETags in If-None-Match), or None when the request names neither."""
    wanted = environ.get("HTTP_IF_NONE_MATCH", "")
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if not wanted or scheme.lower() != "bearer" or not token.strip():
        return None
    return token_hash(token.strip()), [t.strip() for t in wanted.split(",")]
