"""Bearer secrets (API and kiosk tokens): made random, kept only as a hash."""

from __future__ import annotations

import hashlib
import secrets

API_TOKEN_PREFIX = "bt_"  # noqa: S105 (a visible prefix, not a secret)
KIOSK_TOKEN_PREFIX = "kt_"  # noqa: S105


def new_token(prefix: str) -> str:
    """Return a fresh random token carrying `prefix` (256 bits of randomness)."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Return the sha256 hex digest under which `token` is stored.

    A fast hash is right here: the tokens are 256 random bits, so there is nothing to brute-force,
    and the lookup happens on every API call.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """Return the first characters of `token`, safe to show so an officer can tell tokens apart."""
    return token[:10]
