"""Notices: the head (being edited) plus immutable revisions, one of which may be on screens."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk_server.extensions import db
from kiosk_server.models.approvable import ApprovableMixin, RevisionMixin, TargetMixin, members_table

# The media a notice's head and published version show, in order (models/approvable.members_table).
notice_media = members_table(
    "notice_media", "notices", "notice_id",
    Column("media_id", Integer, ForeignKey("media.id"), nullable=False, index=True),
)


class Notice(ApprovableMixin, db.Model):
    __tablename__ = "notices"

    # The head's fields, kept as columns so officers can filter and sort; the revision holds them too.
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40), default="local", index=True)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    language: Mapped[str] = mapped_column(String(8), default="vi")

    revisions: Mapped[list[NoticeRevision]] = relationship(
        back_populates="notice", order_by="NoticeRevision.version", cascade="all, delete-orphan"
    )


class NoticeRevision(RevisionMixin, db.Model):
    __tablename__ = "notice_revisions"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))

    notice: Mapped[Notice] = relationship(back_populates="revisions")

    __table_args__ = (Index("ix_notice_revisions_notice_version", "notice_id", "version", unique=True),)


class NoticeTarget(TargetMixin, db.Model):
    __tablename__ = "notice_targets"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_notice_targets_kind_ref", "kind", "ref"),)
