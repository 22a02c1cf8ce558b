"""Pairing codes: short enough to read off a screen and type, unambiguous, hard to guess in time."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read across a room and typed on a phone.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 6
LIFETIME_S = 15 * 60


def new_code() -> str:
    """Return a random code like "K7Q-4MD" (25^6 ≈ 244 million possibilities)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:3]}-{raw[3:]}"


def normalise(code: str) -> str:
    """Return `code` as stored: upper case with the dash, whatever spacing the officer typed."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return f"{raw[:3]}-{raw[3:]}" if len(raw) == LENGTH else raw
