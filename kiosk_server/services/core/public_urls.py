"""Absolute URLs a citizen opens (notice pages, QR links, feedback tracking), built in one place.

KIOSK_PUBLIC_URL (config PUBLIC_URL) names the address phones reach; when it is set it is the only
base ever written, so nothing a client sends (a Host or X-Forwarded-Host header) can choose the host
of a link we hand out. Without it, the web layer may pass the base of the request being answered;
services never read the request themselves.
"""

from __future__ import annotations

from flask import current_app


def is_configured() -> bool:
    """Return True when KIOSK_PUBLIC_URL is set (screens then advertise public links)."""
    return bool(current_app.config.get("PUBLIC_URL"))


def public_base(base: str | None = None) -> str | None:
    """Return the root of public URLs without a trailing slash: KIOSK_PUBLIC_URL, else `base`, else None."""
    root = current_app.config.get("PUBLIC_URL") or base
    return root.rstrip("/") if root else None


def public_url(path: str, base: str | None = None) -> str | None:
    """Return the absolute URL of `path` (from "/") under `public_base(base)`, or None without either."""
    root = public_base(base)
    return f"{root}/{path.lstrip('/')}" if root is not None else None
