"""Playlists (chương trình phát): an ordered programme of notices and media that officers schedule.

Shaped like notices: a head being edited plus immutable revisions, one of which may be on screens,
and target rows so a kiosk's manifest finds its playlists with one indexed query.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.approvable import ApprovableMixin
from kiosk_server.models.base import UTCDateTime, utcnow

# What a playlist plays, as rows: slot "head" is what the editor sees, slot "published" what screens
# play. Kept so that "which playlists play notice N" (a notice's edit reaches their screens too) and
# "is media M still in use" are queries, not scans of JSON.
playlist_members = Table(
    "playlist_members",
    db.metadata,
    Column("playlist_id", Integer, ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True),
    Column("slot", String(16), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("notice_id", Integer, ForeignKey("notices.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("media_id", Integer, ForeignKey("media.id"), nullable=True, index=True),
)


class Playlist(ApprovableMixin, db.Model):
    __tablename__ = "playlists"

    # The head's fields officers filter and sort by; the revision holds them too.
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16), default="mixed")
    priority: Mapped[int] = mapped_column(default=0)


class PlaylistRevision(db.Model):
    """One saved version of a playlist, never changed after it is written."""

    __tablename__ = "playlist_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))
    version: Mapped[int]
    content: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_playlist_revisions_playlist_version", "playlist_id", "version", unique=True),)


class PlaylistTarget(db.Model):
    """Where the published version of a playlist plays: a unit (and below), a kiosk group, or a kiosk."""

    __tablename__ = "playlist_targets"

    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # unit | group | kiosk
    ref: Mapped[str] = mapped_column(String(16), primary_key=True)

    __table_args__ = (Index("ix_playlist_targets_kind_ref", "kind", "ref"),)
