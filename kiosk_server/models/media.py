"""Media: an uploaded image, video or PDF of a unit, whose bytes live in the MediaStore."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow
from kiosk_server.models.units import Unit
from kiosk_server.models.users import User

KINDS = ("image", "video", "pdf")


class Media(db.Model):
    __tablename__ = "media"
    # The same file uploaded twice in one unit is one row; across units the rows share one object.
    __table_args__ = (UniqueConstraint("unit_code", "sha256", name="uq_media_unit_code_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    # The stored object: for images the re-encoded file (EXIF gone), else the upload as sent.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8), index=True)
    mime: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(nullable=True)
    height: Mapped[int | None] = mapped_column(nullable=True)
    duration_s: Mapped[float | None] = mapped_column(nullable=True)
    size_bytes: Mapped[int]
    original_name: Mapped[str] = mapped_column(String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A video's poster frame, an image's or a PDF's thumbnail (JPEG), itself an object in the store.
    poster_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # PDF only: one screen-sized image per page, [{"sha256", "width", "height"}].
    pages: Mapped[list | None] = mapped_column(JSON, nullable=True)

    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User | None] = relationship()

    def object_names(self) -> set[str]:
        """Return every store object this row uses: the file, its poster and its page images."""
        names = {self.sha256}
        if self.poster_sha256:
            names.add(self.poster_sha256)
        names.update(page["sha256"] for page in self.pages or [])
        return names

    def __repr__(self) -> str:
        return f"<Media {self.id} {self.kind} {self.sha256[:12]}>"
