"""Signed addresses of the QR images the server draws (/kiosk/qr.svg, /kiosk/qr.png).

Drawing a QR code costs CPU, so the server draws only what it issued itself: every image address
carries an HMAC of the encoded URL under the secret key. The manifest and the pairing answer hand
kiosks these addresses; an address someone made up is refused. Processes sharing KIOSK_SECRET_KEY
accept each other's addresses; rotating the key orphans cached ones until the next manifest.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlencode

from flask import current_app

PATHS = {"svg": "/kiosk/qr.svg", "png": "/kiosk/qr.png"}


def signature(url: str) -> str:
    """Return the hex HMAC that authorises drawing `url` as a QR code."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(key, b"qr-image\0" + url.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def is_signed(url: str, given: str) -> bool:
    """Return whether `given` is the signature of `url` (constant-time)."""
    return bool(given) and hmac.compare_digest(signature(url), given)


def image_path(url: str, fmt: str = "svg") -> str:
    """Return the signed path of the QR image of `url`, e.g. /kiosk/qr.svg?u=…&s=…."""
    return f"{PATHS[fmt]}?{urlencode({'u': url, 's': signature(url)})}"


def images_for(urls: Iterable[str | None]) -> dict[str, str]:
    """Return {url: signed SVG path} for each of `urls` (what a screen may draw)."""
    return {url: image_path(url) for url in urls if url}
