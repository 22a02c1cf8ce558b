"""Links a screen's QR panel offers (per unit), and the short codes behind counted QR scans."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow


class PublicLink(db.Model):
    """A public-service link of a unit (or national when unit_code is None), shown in turn on screens."""

    __tablename__ = "public_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), nullable=True, index=True)
    url: Mapped[str] = mapped_column(String(600))
    caption: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    unit = relationship("Unit")


class QrCode(db.Model):
    """A short code standing for a URL, so a scan goes through /q/<code> and is counted."""

    __tablename__ = "qr_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    url: Mapped[str] = mapped_column(String(600), unique=True)
    scans: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class QrScanDay(db.Model):
    """Scans of one QR code on one day (Viet Nam time): one row per code and day, counted up by an upsert.

    `scans` on QrCode is the running total; these rows let a report count the scans of a period.
    """

    __tablename__ = "qr_scan_days"

    code: Mapped[str] = mapped_column(ForeignKey("qr_codes.code", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True, index=True)
    scans: Mapped[int] = mapped_column(default=0)
