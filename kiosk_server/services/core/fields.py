"""Reading a request body field by field, every fault collected before one ValidationFailed.

Notices, playlists, sources and alerts all take a JSON object from the API or the officer UI. A
`FieldReader` reads it once: each method checks one field, keeps its clean value and returns it,
or notes the Vietnamese message for that field, so an officer sees every problem in one round and
nothing is half-saved. A partial reader (PATCH) reads only the fields that were sent.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from kiosk_server.domain import schedule
from kiosk_server.services.core.errors import ValidationFailed

# A message, or a function of the refused value for messages that quote it.
Message = Any


def is_whole(value: Any) -> bool:
    """Return True for a JSON whole number (an int, never a bool, which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_list_of(value: Any, kind: type | tuple[type, ...], most: int) -> bool:
    """Return True when `value` is a list of at most `most` values of `kind`, none a bool."""
    return isinstance(value, list) and len(value) <= most and all(
        isinstance(x, kind) and not isinstance(x, bool) for x in value
    )


def parse_time_point(value: Any, field: str, errors: dict) -> datetime | None:
    """Return an aware datetime from ISO 8601 (no offset: Viet Nam time), or None with an error noted."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        errors[field] = _l("Thời điểm phải là chuỗi ISO 8601, ví dụ 2026-12-01T07:30.")
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        errors[field] = _l("Thời điểm “%(value)s” không hợp lệ (ví dụ đúng: 2026-12-01T07:30).", value=value[:40])
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=schedule.VN)
    return parsed


class FieldReader:
    """One request body being read: `out` holds the clean values, `errors` the message of each bad field.

    Every reading method reads its field only when `wants` it (always for a whole body, only when
    sent for a partial one) and returns None when it does not, or when the value was refused.
    """

    def __init__(self, data: Any, allowed: Iterable[str], *, partial: bool = False):
        if not isinstance(data, dict):
            raise ValidationFailed(_l("Nội dung gửi lên phải là một đối tượng JSON."))
        self.data = data
        self.partial = partial
        self.errors: dict[str, Any] = {name: _l("Trường này không được hỗ trợ.") for name in sorted(set(data) - set(allowed))}
        self.out: dict[str, Any] = {}

    def wants(self, name: str) -> bool:
        """Return True when `name` is to be read: sent, or the body is whole."""
        return name in self.data or not self.partial

    def keep(self, name: str, value: Any) -> Any:
        """Keep `value` as the clean value of `name` and return it."""
        self.out[name] = value
        return value

    def refuse(self, name: str, message: Message, value: Any = None) -> None:
        """Note why `name` is refused (a function of `value` for a message that quotes it)."""
        self.errors[name] = message(value) if callable(message) else message

    def check(self, name: str, ok: Callable[[Any], bool], message: Message, *, default: Any = None,
              convert: Callable[[Any], Any] | None = None) -> Any:
        """Read `name` if `ok` accepts it, `convert`ed; a falsy value (absent, null, "") reads as a `default` given."""
        if not self.wants(name):
            return None
        value = self.data.get(name)
        if default is not None and not value:
            value = default
        if not ok(value):
            return self.refuse(name, message, value)
        return self.keep(name, convert(value) if convert else value)

    def choice(self, name: str, choices: Collection, message: Message, *, default: Any = None) -> Any:
        """Read `name`, one of `choices`."""
        return self.check(name, lambda value: value in choices, message, default=default)

    def text(self, name: str, missing: Message, *, most: int | None = None, too_long: Message = None,
             squeeze: bool = False) -> str | None:
        """Read a required one-line text, stripped (or with every run of spaces made one, `squeeze`)."""
        if not self.wants(name):
            return None
        value = self.data.get(name)
        if isinstance(value, str):
            value = " ".join(value.split()) if squeeze else value.strip()
        if not value or not isinstance(value, str):
            return self.refuse(name, missing)
        if most is not None and len(value) > most:
            return self.refuse(name, too_long, value)
        return self.keep(name, value)

    def prose(self, name: str, most: int, *, not_text: Message, too_long: Message,
              convert: Callable[[str], Any] | None = None) -> Any:
        """Read an optional text of at most `most` characters ("" when absent), `convert`ed."""
        if not self.wants(name):
            return None
        value = self.data.get(name) or ""
        if not isinstance(value, str):
            return self.refuse(name, not_text)
        if len(value) > most:
            return self.refuse(name, too_long)
        return self.keep(name, convert(value) if convert else value)

    def number(self, name: str, message: Message, low: float, high: float, *, whole: bool = False,
               default: Any = None, optional: bool = False, convert: Callable[[Any], Any] | None = None) -> Any:
        """Read a number from `low` to `high` (a `whole` one only); null reads as `default`, kept as None if `optional`."""
        if not self.wants(name):
            return None
        value = self.data.get(name)
        value = default if value is None else value
        if value is None and optional:
            return self.keep(name, None)
        kinds = int if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            return self.refuse(name, message)
        return self.keep(name, convert(value) if convert else value)

    def ids(self, name: str, most: int, message: Message) -> list[int] | None:
        """Read a list of at most `most` record ids (empty when absent), each once, in the order sent."""
        return self.check(name, lambda value: is_list_of(value, int, most), message, default=[],
                          convert=lambda value: list(dict.fromkeys(value)))

    def flag(self, name: str, default: bool) -> bool | None:
        """Read true or false; only an absent field reads as `default` (null is refused)."""
        if not self.wants(name):
            return None
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            return self.refuse(name, _l("Phải là true hoặc false."))
        return self.keep(name, value)

    def when(self, name: str) -> datetime | None:
        """Read an optional instant (ISO 8601; without an offset, Viet Nam time) as an aware datetime."""
        if not self.wants(name):
            return None
        return self.keep(name, parse_time_point(self.data.get(name), name, self.errors))

    def parse(self, name: str, parser: Callable[[Any, dict], Any]) -> Any:
        """Read `name` with `parser(value, errors)`, which notes its own errors and returns what to keep."""
        if not self.wants(name):
            return None
        return self.keep(name, parser(self.data.get(name), self.errors))

    def finish(self, message: Message) -> dict[str, Any]:
        """Return the clean values read; raise ValidationFailed(`message`, every field's error) if any was refused."""
        if self.errors:
            raise ValidationFailed(message, self.errors)
        return self.out
