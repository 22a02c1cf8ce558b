"""Loading one record for an officer: the record when they may see it, else NotFound.

Every officer page and API call that takes an id loads it through `get_visible`, so each kind's rule
for who may see a record lives once, below. A record outside the officer's scope is answered exactly
like one that does not exist (the same NotFound, the same words): an id never tells an officer that
something exists in another unit. What they may then *change* is the use case's decision, refused
with a Forbidden that says why (docs/security.md, "Looking a record up").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l

from kiosk_server.extensions import db
from kiosk_server.models import Alert, ApiToken, Feedback, Kiosk, Media, Notice, Playlist, PublicLink, Source, Unit, User
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


def _plausible(key: int | str) -> bool:
    # An id past the database's integer range would be a driver error (a 500), not a missing row.
    if isinstance(key, int):
        return 0 < key < 2**63
    return 0 < len(key) <= 16
