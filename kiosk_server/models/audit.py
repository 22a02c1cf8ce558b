"""The append-only audit log: who changed what, when, and the values before and after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The actor is copied as text too, so the entry still reads right after a user is renamed.
    actor_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context, instances) -> None:
    changed = [o for o in session.dirty if session.is_modified(o)] + list(session.deleted)
    for obj in changed:
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly("audit entries are never changed or deleted")
