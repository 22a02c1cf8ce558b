"""Loading one record for an officer: the record when they may see it, else NotFound.

Every officer page and API call that takes an id loads it through `get_visible`, so each kind's rule
for who may see a record lives once, below. A record outside the officer's scope is answered exactly
like one that does not exist (the same NotFound, the same words): an id never tells an officer that
something exists in another unit. What they may then *change* is the use case's decision, refused
with a Forbidden that says why (docs/security.md, "Looking a record up").

A page that shows many ids at once (a playlist's items, an editor's pickers, a preview) asks
`visible_rows` or `labels`, the bulk form of the same rule: an id the officer may not see reads as
"#id" and nothing else, exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select

from kiosk_server.extensions import db
from kiosk_server.models import (
    Alert,
    ApiToken,
    Feedback,
    Kiosk,
    KioskGroup,
    Media,
    Notice,
    Playlist,
    PublicLink,
    Source,
    Unit,
    User,
)
from kiosk_server.services.alerts import alerts
from kiosk_server.services.core import scope
from kiosk_server.services.core.errors import NotFound

Row = TypeVar("Row")


@dataclass(frozen=True)
class Visibility:
    """One kind's rule: who may see a row, and how a missing (or hidden) id is reported."""

    visible: Callable[[User, Any], bool]
    missing: Callable[[int | str], Any]


RULES: dict[type, Visibility] = {
    # An alert is read where its area meets the scope, and below its area: a commune reads its province's alert.
    Alert: Visibility(lambda actor, alert: alerts.visible_to(alert, actor),
                      lambda key: _l("Không tìm thấy cảnh báo số %(id)s.", id=key)),
    # An officer's own tokens only; an admin manages other officers' tokens through the officer.
    ApiToken: Visibility(lambda actor, token: token.user_id == actor.id,
                         lambda key: _l("Không tìm thấy mã truy cập.")),
    Feedback: Visibility(lambda actor, item: scope.in_scope(actor, item.unit_code),
                         lambda key: _l("Không tìm thấy phản ánh số %(id)s.", id=key)),
    Kiosk: Visibility(lambda actor, kiosk: scope.in_scope(actor, kiosk.unit_code),
                      lambda key: _l("Không tìm thấy màn hình số %(id)s.", id=key)),
    # A group of screens belongs to its unit, as its screens do.
    KioskGroup: Visibility(lambda actor, group: scope.in_scope(actor, group.unit_code),
                           lambda key: _l("Không tìm thấy nhóm màn hình số %(id)s.", id=key)),
    Media: Visibility(lambda actor, media: scope.in_scope(actor, media.unit_code),
                      lambda key: _l("Không tìm thấy tệp media số %(id)s.", id=key)),
    # A notice belongs to its unit; reaching a screen of yours does not make it yours to open.
    Notice: Visibility(lambda actor, notice: scope.in_scope(actor, notice.unit_code),
                       lambda key: _l("Không tìm thấy thông báo số %(id)s.", id=key)),
    # A playlist belongs to its unit, as a notice does.
    Playlist: Visibility(lambda actor, playlist: scope.in_scope(actor, playlist.unit_code),
                         lambda key: _l("Không tìm thấy chương trình phát số %(id)s.", id=key)),
    # National links (no unit) are listed for everyone; removing one needs national scope (403).
    PublicLink: Visibility(lambda actor, link: link.unit_code is None or scope.in_scope(actor, link.unit_code),
                           lambda key: _l("Không tìm thấy liên kết.")),
    Source: Visibility(lambda actor, source: scope.in_scope(actor, source.unit_code),
                       lambda key: _l("Không tìm thấy nguồn tin số %(id)s.", id=key)),
    Unit: Visibility(lambda actor, unit: scope.in_scope(actor, unit.code),
                     lambda key: _l("Không có đơn vị hành chính mã “%(code)s”.", code=key)),
    # A national officer is overseen only by national officers (`scope.oversees`).
    User: Visibility(lambda actor, user: scope.oversees(actor, user),
                     lambda key: _l("Không tìm thấy người dùng.")),
}


def get_visible(model: type[Row], key: int | str, actor: User) -> Row:
    """Return the `model` row with primary key `key` if `actor` may see it; NotFound, worded alike, if not.

    Missing and out-of-scope raise the same error with the same message, so neither the status nor
    the body tells them apart.
    """
    rule = RULES[model]
    row = db.session.get(model, key) if _plausible(key) else None
    if row is None or not rule.visible(actor, row):
        raise NotFound(rule.missing(key))
    return row


def visible_rows(model: type[Row], keys: Iterable[int | str], actor: User) -> dict[int | str, Row]:
    """Return {key: row} for those of `keys` whose `model` row exists and `actor` may see; the others are left out.

    The bulk form of `get_visible`, for a page that shows many ids at once (a playlist's items, a
    picker's choices): a missing id and a hidden one are both simply absent, so nothing tells them apart.
    """
    rule = RULES[model]
    column = inspect(model).primary_key[0]
    wanted = {key for key in keys if isinstance(key, column.type.python_type) and _plausible(key)}
    if not wanted:
        return {}
    rows = db.session.scalars(select(model).where(column.in_(wanted)))
    return {getattr(row, column.key): row for row in rows if rule.visible(actor, row)}


def labels(model: type[Row], keys: Iterable[int | str], actor: User, name_of: Callable[[Row], str]) -> dict[str, str]:
    """Return what an officer reads for each of `keys` (as text): `name_of(row)` for a row they may see, "#key" otherwise.

    A missing id and one of another unit read alike, as the id alone: no name, no file, no address.
    """
    keys = list(keys)
    seen = visible_rows(model, keys, actor)
    return {str(key): name_of(seen[key]) if key in seen else f"#{key}" for key in keys}


def target_labels(targets: dict, actor: User) -> dict[str, list[str]]:
    """Return what an officer reads of where a record plays: unit names (public reference data), and the
    groups and screens they may see by name, the others as "#id"."""
    units = db.session.scalars(select(Unit).where(Unit.code.in_(targets.get("units", [])))).all()
    return {
        "units": [unit.name for unit in units],
        "groups": list(labels(KioskGroup, targets.get("groups", []), actor, lambda group: group.name).values()),
        "kiosks": list(labels(Kiosk, targets.get("kiosks", []), actor, lambda kiosk: kiosk.name).values()),
    }


def _plausible(key: int | str) -> bool:
    # An id past the database's integer range would be a driver error (a 500), not a missing row.
    if isinstance(key, int):
        return 0 < key < 2**63
    return 0 < len(key) <= 16
