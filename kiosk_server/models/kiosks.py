"""Screens (kiosks) and the groups officers sort them into."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow
from kiosk_server.models.units import Unit

kiosk_group_members = Table(
    "kiosk_group_members",
    db.metadata,
    Column("kiosk_id", Integer, ForeignKey("kiosks.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", Integer, ForeignKey("kiosk_groups.id", ondelete="CASCADE"), primary_key=True),
)


class KioskGroup(db.Model):
    __tablename__ = "kiosk_groups"
    __table_args__ = (UniqueConstraint("unit_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)

    unit: Mapped[Unit] = relationship()
    kiosks: Mapped[list[Kiosk]] = relationship(secondary=kiosk_group_members, back_populates="groups")


class Kiosk(db.Model):
    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    theme: Mapped[str] = mapped_column(String(40), default="default")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    manifest_version: Mapped[int] = mapped_column(default=0)

    # Live status, as the screen last reported it over its socket (heartbeats every 30 s).
    connected: Mapped[bool] = mapped_column(default=False)
    current_item: Mapped[str | None] = mapped_column(String(32), nullable=True)
    uptime_s: Mapped[int | None] = mapped_column(nullable=True)
    reported_version: Mapped[int | None] = mapped_column(nullable=True)

    unit: Mapped[Unit] = relationship()
    groups: Mapped[list[KioskGroup]] = relationship(secondary=kiosk_group_members, back_populates="kiosks")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
