"""What each screen reports it played: the record behind posting reports (niêm yết công khai)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime


class PlayRecord(db.Model):
    __tablename__ = "play_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(32))
    notice_id: Mapped[int | None] = mapped_column(nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_s: Mapped[float]

    __table_args__ = (
        Index("ix_play_records_notice_started", "notice_id", "started_at"),
        Index("ix_play_records_kiosk_started", "kiosk_id", "started_at"),
    )
