"""The columns of everything that goes through the approval workflow (services/content/workflow.py).

Declared once so that every approvable kind has the same workflow facts, indexed the same way: the
expiry sweep of each kind filters on `ends_at`, the queues on `status`, the lists on `unit_code`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow
from kiosk_server.models.units import Unit
from kiosk_server.models.users import User


class ApprovableMixin:
    """Who wrote it, where it stands, which version is on screens, who approved it, and its window."""

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    version: Mapped[int] = mapped_column(default=1)
    published_version: Mapped[int | None] = mapped_column(nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @declared_attr
    def unit(cls) -> Mapped[Unit]:
        return relationship(Unit)

    @declared_attr
    def author(cls) -> Mapped[User]:
        return relationship(User, foreign_keys=[cls.author_id])

    @declared_attr
    def approved_by(cls) -> Mapped[User | None]:
        return relationship(User, foreign_keys=[cls.approved_by_id])


class RevisionMixin:
    """One saved version of an approvable record's content, never changed after it is written.

    The class adds the column naming its record (`notice_id`) and the unique (record, version) index.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int]
    content: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TargetMixin:
    """Where the published version of a record plays: a unit (and below), a kiosk group, or a kiosk.

    Kept as rows (not JSON) so a kiosk's manifest is one indexed query: "targets whose ref is one of
    my units, my groups or me". The class adds the column naming its record, as part of the key.
    """

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # unit | group | kiosk
    ref: Mapped[str] = mapped_column(String(16), primary_key=True)


def members_table(name: str, owner_table: str, owner_key: str, *columns: Column) -> Table:
    """Return the table of what each version of a record plays, one row per position.

    Slot "head" is what the editor sees, slot "published" what screens play; both count when someone
    tries to delete media still in use, and make "which records play X" a query, not a scan of JSON.
    """
    return Table(
        name,
        db.metadata,
        Column(owner_key, Integer, ForeignKey(f"{owner_table}.id", ondelete="CASCADE"), primary_key=True),
        Column("slot", String(16), primary_key=True),
        Column("position", Integer, primary_key=True),
        *columns,
    )
