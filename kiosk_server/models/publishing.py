"""Publish events: each change that reaches screens gets a number, which becomes the manifest version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow


class PublishEvent(db.Model):
    """One publish: why, and how many screens it touched.

    The id is taken by every kiosk it touches as its new manifest version, so one `manifest
    {version}` message per room is right for every kiosk in that room, and versions only grow.
    """

    __tablename__ = "publish_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(String(64))
    notice_id: Mapped[int | None] = mapped_column(nullable=True)
    kiosk_count: Mapped[int] = mapped_column(default=0)
