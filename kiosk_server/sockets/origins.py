"""Which browser origins may open a Socket.IO connection: this server's own, and KIOSK_PUBLIC_URL's.

The /admin namespace authenticates by the session cookie, which a browser sends with a websocket
from any page; without this check a foreign site could watch an officer's screens through them.
Clients that send no Origin at all (bench/fanout.py, the launcher's watchdog) are not browsers and
carry no cookie of ours; engine.io lets them through before asking this function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    """Return scheme://host[:port] of `url`, lower-cased, or '' when it has none."""
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def allowed_origins_for(public_url: str | None) -> Callable[[str | None, Mapping[str, Any]], bool]:
    """Return engine.io's origin check for a server whose public URL is `public_url`."""
    public = origin_of(public_url or "")

    def allowed(origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not origin:
            return True
        origin = origin.lower()
        # The environ has been through ProxyFix (when KIOSK_PROXIES is set): the client's scheme and host.
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}".lower()
        return origin in {own, public} - {""}

    return allowed
