"""Where a `next` parameter may send a browser: a path on this site, never another one."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """Return `target` when it is a path on this site, else `default` (an open redirect is a phishing tool).

    Browsers read "/\\evil.com" as "//evil.com" and drop tabs and newlines ("/\\t/evil.com"), so
    a backslash or any control character refuses the target outright.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
