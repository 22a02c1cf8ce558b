"""Playlists (chương trình phát): an ordered programme of notices and media that officers schedule.

Shaped like notices: a head being edited plus immutable revisions, one of which may be on screens,
and target rows so a kiosk's manifest finds its playlists with one indexed query.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.approvable import ApprovableMixin, RevisionMixin, TargetMixin, members_table

# What a playlist's head and published version play, in order: a notice or a media file per row
# (models/approvable.members_table), so "which playlists play notice N" (a notice's edit reaches
# their screens too) is a query.
playlist_members = members_table(
    "playlist_members", "playlists", "playlist_id",
    Column("notice_id", Integer, ForeignKey("notices.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("media_id", Integer, ForeignKey("media.id"), nullable=True, index=True),
)


class Playlist(ApprovableMixin, db.Model):
    __tablename__ = "playlists"

    # The head's fields officers filter and sort by; the revision holds them too.
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16), default="mixed")
    priority: Mapped[int] = mapped_column(default=0)


class PlaylistRevision(RevisionMixin, db.Model):
    __tablename__ = "playlist_revisions"

    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"))

    __table_args__ = (Index("ix_playlist_revisions_playlist_version", "playlist_id", "version", unique=True),)


class PlaylistTarget(TargetMixin, db.Model):
    __tablename__ = "playlist_targets"

    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlists.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_playlist_targets_kind_ref", "kind", "ref"),)
