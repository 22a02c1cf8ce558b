"""Administrative units: provinces and the communes (xã, phường, đặc khu) below them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db


class Unit(db.Model):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # "province" or "commune"; the kind (xã, phường, tỉnh...) is kept for display.
    level: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(40), default="")
    parent_code: Mapped[str | None] = mapped_column(
        String(16), ForeignKey("units.code"), index=True, nullable=True
    )

    parent: Mapped[Unit | None] = relationship(remote_side=[code], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level, "parent_code": self.parent_code}

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
