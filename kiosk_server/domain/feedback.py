"""Citizens' feedback (phản ánh, kiến nghị): tracking codes, statuses, the overdue rule, input shapes.

Pure values only: no Flask and no database, so the rules are tested with plain values and a fixed clock.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime, timedelta

# new → in_progress → answered → closed; an answered or closed item may be reopened (in_progress).
STATUSES: tuple[str, ...] = ("new", "in_progress", "answered", "closed")
OPEN_STATUSES: tuple[str, ...] = ("new", "in_progress")
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"in_progress", "answered", "closed"}),
    "in_progress": frozenset({"answered", "closed"}),
    "answered": frozenset({"answered", "in_progress", "closed"}),  # answered → answered: a corrected answer
    "closed": frozenset({"in_progress"}),
}
# Reached only by writing an answer; the status call alone cannot claim an answer exists.
NEEDS_ANSWER = frozenset({"answered"})

OTHER_CATEGORY = "other"  # "Khác": not a notice category

MIN_TEXT = 10
MAX_TEXT = 5000
MAX_NAME = 100
MAX_ANSWER = 5000

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_PREFIX = "PA"
_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE_SEPARATORS = re.compile(r"[\s\-_.]+")

# Vietnamese numbers: mobile 0 + 9 digits (03, 05, 07, 08, 09), landline 02 + 9 digits.
_PHONE_MOBILE = re.compile(r"^0[35789]\d{8}$")
_PHONE_LANDLINE = re.compile(r"^02\d{9}$")
_PHONE_PUNCTUATION = re.compile(r"[\s.\-()]")


def new_tracking_code() -> str:
    """Return a fresh random tracking code such as "PA-7K3Q-92MD" (40 random bits, not sequential)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{CODE_PREFIX}-{chars[:4]}-{chars[4:]}"


def normalise_tracking_code(raw: str | None) -> str | None:
    """Return `raw` as a canonical tracking code ("pa 7k3q 92md" → "PA-7K3Q-92MD"), or None if it is not one."""
    if not raw or len(raw) > 40:
        return None
    compact = _CODE_SEPARATORS.sub("", raw.strip().upper())
    if compact.startswith(CODE_PREFIX):
        compact = compact[len(CODE_PREFIX):]
    compact = compact.translate(_CODE_LOOKALIKES)
    if len(compact) != 8 or any(ch not in CODE_ALPHABET for ch in compact):
        return None
    return f"{CODE_PREFIX}-{compact[:4]}-{compact[4:]}"


def normalise_phone(raw: str | None) -> str | None:
    """Return a Vietnamese phone number as 0xxxxxxxxx (from "0912 345 678", "+84 912…"), or None if invalid."""
    if not raw:
        return None
    digits = _PHONE_PUNCTUATION.sub("", raw.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not digits.isdigit():
        return None
    return digits if _PHONE_MOBILE.match(digits) or _PHONE_LANDLINE.match(digits) else None


def clean_text(raw: str | None) -> str:
    """Return what a citizen typed as plain text: Unicode NFC, \\n line ends, no control characters.

    Markup is kept as the characters it is made of; templates escape it on output.
    """
    text = unicodedata.normalize("NFC", (raw or "").replace("\r\n", "\n").replace("\r", "\n"))
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept.strip()


def clean_line(raw: str | None) -> str:
    """Return a one-line value (a name): clean text with runs of whitespace made single spaces."""
    return " ".join(clean_text(raw).split())


def can_move(current: str, target: str) -> bool:
    """Return True when an item in status `current` may be moved to `target`."""
    return target in TRANSITIONS.get(current, frozenset())


def due_at(created_at: datetime, due_days: int) -> datetime:
    """Return when an answer to feedback received at `created_at` is due (calendar days, configurable)."""
    return created_at + timedelta(days=due_days)


def overdue_cutoff(now: datetime, due_days: int) -> datetime:
    """Return the moment before which an open item received is overdue at `now` (for a database filter)."""
    return now - timedelta(days=due_days)


def is_overdue(status: str, created_at: datetime, now: datetime, due_days: int) -> bool:
    """Return True when the item is still unanswered (new or in progress) and its due time has passed."""
    return status in OPEN_STATUSES and created_at < overdue_cutoff(now, due_days)


def excerpt(text: str, limit: int = 120) -> str:
    """Return the start of `text` on one line, cut at a word boundary with "…" when longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(" ,.;:") + "…"
