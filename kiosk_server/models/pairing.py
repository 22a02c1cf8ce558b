"""Pairing requests: a screen without a token shows a short code an officer types in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow


class PairingRequest(db.Model):
    """A code on a screen, and the hash of the token that screen already holds.

    The screen is given its token with the code; pairing creates the kiosk with that token's hash,
    so no token is ever stored or sent twice.
    """

    __tablename__ = "pairing_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosks.id", ondelete="SET NULL"), nullable=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
