"""When each screen was connected: one row per stretch of connection, the record behind uptime reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime


class KioskSession(db.Model):
    """A stretch of time a screen was connected: from `started_at` until `ended_at`, heard from until `last_heard_at`.

    Written by the batched presence flush (services/screens/uptime.py), never once per heartbeat. An open row
    (`ended_at` NULL) whose screen has not been heard from for the online window is closed at
    `last_heard_at` + that window, by the next flush that hears the screen again or by the sweep, so a
    process that died never leaves a screen "online" for ever.
    """

    __tablename__ = "kiosk_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_heard_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        Index("ix_kiosk_sessions_kiosk_started", "kiosk_id", "started_at"),
        # At most one open stretch per screen: two processes opening one at once keep the first
        # (INSERT … ON CONFLICT DO NOTHING), and the sweep finds the open ones by this index.
        Index("ix_kiosk_sessions_open", "kiosk_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )
