"""Emergency alerts and the receipts screens send when they have shown one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow


class Alert(db.Model):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(200), unique=True)  # CAP identifier, ours or the feed's
    sender: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="Actual")  # Actual | Exercise | Test | ...
    source: Mapped[str] = mapped_column(String(8), default="api")  # api | cap | ui
    headline: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    hazard: Mapped[str] = mapped_column(String(40))
    level: Mapped[int]
    language: Mapped[str] = mapped_column(String(16), default="vi")
    translations: Mapped[list] = mapped_column(JSON, default=list)  # [{language, headline, description, instruction}]
    unit_codes: Mapped[list] = mapped_column(JSON)
    area_desc: Mapped[str] = mapped_column(Text, default="")
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sound: Mapped[bool] = mapped_column(default=False)
    references: Mapped[list] = mapped_column(JSON, default=list)  # identifiers this one updates
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), nullable=True)
    kiosk_count: Mapped[int] = mapped_column(default=0)  # screens in the area when it was raised
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    acks: Mapped[list[AlertAck]] = relationship(back_populates="alert", order_by="AlertAck.at")
    # The area again, one row per unit, so lists filter by scope in SQL (unit_codes is JSON).
    areas: Mapped[list[AlertUnit]] = relationship(cascade="all, delete-orphan")


class AlertUnit(db.Model):
    __tablename__ = "alert_units"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class AlertAck(db.Model):
    __tablename__ = "alert_acks"
    __table_args__ = (UniqueConstraint("alert_id", "kiosk_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    alert: Mapped[Alert] = relationship(back_populates="acks")
