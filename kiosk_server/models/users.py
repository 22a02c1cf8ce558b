"""Officers and their API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow
from kiosk_server.models.units import Unit


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    # None: national scope (every unit). Otherwise this unit and everything below it.
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), nullable=True, index=True)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Part of the id every session and remember cookie holds: moving it on (a password change, "sign
    # out everywhere") makes every earlier session of this officer unknown to the user loader.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    unit: Mapped[Unit | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", order_by="ApiToken.id")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of deactivated officers
        return self.active

    def get_id(self) -> str:
        """Return the id a session stores: the user's id and session generation, "12:3"."""
        return f"{self.id}:{self.session_generation}"

    def to_dict(self) -> dict:
        """Return the officer as the API shows it: these columns as they are stored, never a password hash."""
        return {column: getattr(self, column) for column in ("id", "email", "name", "role", "unit_code", "active")}


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    # Only the sha256 of the token is kept; the prefix lets an officer tell tokens apart.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
