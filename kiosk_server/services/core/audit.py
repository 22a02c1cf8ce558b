"""Writing the audit log. Every state change calls `record` in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from kiosk_server.extensions import db
from kiosk_server.models import AuditEntry, User


def actor_label(actor: User | str | None) -> str:
    """Return how the actor is written in the log: the officer's email, or a system name."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.email


def record(
    actor: User | str | None,
    action: str,
    obj_type: str,
    obj_id: Any,
    *,
    unit_code: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an audit entry to the current session (the caller commits it with the change)."""
    entry = AuditEntry(
        actor_id=actor.id if isinstance(actor, User) else None,
        actor=actor_label(actor),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        unit_code=unit_code,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry
