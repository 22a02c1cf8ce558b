"""Citizens' feedback (phản ánh, kiến nghị) to a unit, its answer, and the personal data sent with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow
from kiosk_server.models.units import Unit
from kiosk_server.models.users import User


class Feedback(db.Model):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the citizen follows the item by: random, so nobody reads another's by counting.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    category: Mapped[str] = mapped_column(String(40))  # a notice category's code, or "other"
    text: Mapped[str] = mapped_column(Text)  # plain text as typed; escaped wherever it is shown
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    # Personal data: shown only to officers whose scope holds the unit, never on public pages or
    # screens, never copied into the audit log, and erased on request (the question and answer stay).
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # The re-encoded photo (EXIF and GPS gone) in the private feedback store, never under /media.
    photo_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    photo_mime: Mapped[str | None] = mapped_column(String(32), nullable=True)
    photo_width: Mapped[int | None] = mapped_column(nullable=True)
    photo_height: Mapped[int | None] = mapped_column(nullable=True)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    personal_data_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    # The notice that carries the question and answer to the board (through approval), if any.
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"), nullable=True)

    unit: Mapped[Unit] = relationship()
    answered_by: Mapped[User | None] = relationship()

    @property
    def has_personal_data(self) -> bool:
        return bool(self.name or self.phone or self.photo_sha256)

    def __repr__(self) -> str:
        return f"<Feedback {self.id} {self.code} {self.status}>"
