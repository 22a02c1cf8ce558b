"""Information sources (upstream CAP and RSS/Atom feeds) and the items taken from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.domain.sources import AUTHORING_FIELDS
from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow
from kiosk_server.models.units import Unit
from kiosk_server.models.users import User


class Source(db.Model):
    """An upstream feed polled on a schedule: `cap` (warnings) or `feed` (bulletins, RSS 2.0/Atom).

    `agent` is the source's own officer record (inactive, never signs in): the author of the notices
    it brings and the actor of the alerts it raises, with exactly the source's unit as its scope, so
    everything a source does passes the same role and scope checks as an officer's request.
    `trusted_by` is the approver who let it publish on its own; they stand as the second officer, so
    they must not be one of its authors (`author_ids`), and any change of what it brings drops them.
    """

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))  # cap | feed
    url: Mapped[str] = mapped_column(String(1000))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    targets: Mapped[dict] = mapped_column(JSON, default=dict)
    poll_seconds: Mapped[int] = mapped_column(default=300)
    bulletin_class: Mapped[str] = mapped_column(String(16), default="normal")  # normal | priority | emergency
    auto_publish: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    trusted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who last set each of AUTHORING_FIELDS ({"url": user id, ...}): with the creator, the source's authors.
    set_by: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    # Polling: one stored due job per generation; a poll holds `lease_until` so two never overlap.
    poll_generation: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Health, as officers read it.
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    failures: Mapped[int] = mapped_column(default=0)
    items_taken: Mapped[int] = mapped_column(default=0)
    # Conditional GET: what the server said last time.
    etag: Mapped[str] = mapped_column(String(200), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")

    unit: Mapped[Unit] = relationship()
    agent: Mapped[User] = relationship(foreign_keys=[agent_id])
    trusted_by: Mapped[User | None] = relationship(foreign_keys=[trusted_by_id])

    def author_ids(self) -> set[int]:
        """Return the officers who answer for what the source brings: its creator, and whoever last set
        its address, unit, targets or class. For the two-person rule they wrote every item it brings."""
        set_by = self.set_by or {}
        ids = {self.created_by_id, *(set_by.get(name) for name in AUTHORING_FIELDS)}
        return {officer_id for officer_id in ids if officer_id is not None}


class SourceItem(db.Model):
    """One item a source brought, by its key (a feed entry's id, a CAP identifier): taken once.

    `status`: `taken` (became a notice or an alert), `waiting` (a CAP message for an approver to
    send), `refused` (checked and refused; `error` says why) or `dismissed` (an officer set it aside).
    """

    __tablename__ = "source_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")  # e.g. how a CAP area was matched to units
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"), nullable=True,
                                                  index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"), nullable=True)
    document: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # a waiting CAP message
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    source: Mapped[Source] = relationship()

    __table_args__ = (Index("ix_source_items_source_key", "source_id", "key", unique=True),)
