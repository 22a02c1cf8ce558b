"""Who may approve, reject and withdraw what reaches screens: notices and playlists alike.

Both go draft → submitted → approved (published) → withdrawn or expired, and the same officer rules
hold for both; each keeps its own words for its refusals. A check added here holds for every
approvable thing at once, so the two paths cannot drift apart.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kiosk_server.domain import roles
from kiosk_server.models import User
from kiosk_server.services import scope
from kiosk_server.services.errors import Forbidden, ValidationFailed

MAX_REASON = 2000


def require_approver(actor: User, refusal) -> None:
    """Raise Forbidden(`refusal`) unless the officer's role approves."""
    if not roles.can(actor.role, "approve"):
        raise Forbidden(refusal)


def require_may_publish(actor: User, authors: tuple[int | None, ...], new_targets: dict | None,
                        old_targets: dict | None, self_refusal) -> None:
    """Approving publishes to the new targets and takes the old version off the old ones: scope over
    both, and the approver is none of `authors` (who wrote it and who last edited it)."""
    scope.require_targets_in_scope(actor, new_targets, old_targets)
    if actor.id in authors:
        raise Forbidden(self_refusal, code="self_approval")


def rejection_reason(reason: str | None) -> str:
    """Return the reason an author will read, or raise when it is missing or too long."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed(_l("Hãy ghi lý do trả lại (tối đa 2000 ký tự)."), {"reason": _l("Cần lý do.")})
    return reason


def require_may_withdraw(actor: User, author_id: int | None, refusal) -> None:
    """An approver, or the author who still edits, may take it off (the caller checks scope over where it plays)."""
    if not (roles.can(actor.role, "approve") or (actor.id == author_id and roles.can(actor.role, "edit_content"))):
        raise Forbidden(refusal)
