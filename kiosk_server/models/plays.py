"""What each screen reports it played, and the hash chain that seals it: the record behind posting reports
(niêm yết công khai)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow


class PlayRecord(db.Model):
    """One play as the screen reported it, with what was shown as it stood when the play was stored."""

    __tablename__ = "play_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(32))
    notice_id: Mapped[int | None] = mapped_column(nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_s: Mapped[float]
    # The notice's published version and the hash of that revision's content (domain/play_log.py);
    # None for items that are not notices and for plays stored before these were kept.
    notice_version: Mapped[int | None] = mapped_column(nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # When the server stored it: the chain seals plays by the day they were stored, so a screen that
    # was offline for a week never adds plays to a day already sealed.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index("ix_play_records_notice_started", "notice_id", "started_at"),
        # A play is one (screen, start, item): a batch resent, or sent by two sessions at once, is
        # stored once because the database refuses the second (services/core/idempotent.py).
        Index("ux_play_records_kiosk_started_item", "kiosk_id", "started_at", "item", unique=True),
        Index("ix_play_records_kiosk_recorded", "kiosk_id", "recorded_at"),
    )


class PlayLogLink(db.Model):
    """One sealed day of one screen's plays, chained to the screen's previous link.

    `kiosk_id` is no foreign key on purpose: a link outlives its screen's row, so deleting a screen
    (and with it its plays) shows up in `verify-log` instead of erasing the evidence with it.
    """

    __tablename__ = "play_log_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int]
    day: Mapped[date] = mapped_column(Date())
    plays: Mapped[int]
    seconds: Mapped[float]
    plays_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the day's raw plays were replaced by hourly roll-ups (PlayRollup): `plays_hash` stays
    # as sealed, and `rollup_hash` is the digest the roll-up rows that stand in for the plays must have.
    rolled_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rollup_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The day's plays per Viet Nam day they started on, as canonical JSON (domain/play_log.day_figures):
    # what this link adds to PlayDay. Links sealed since 0016 carry it and the roll-up digest (known at
    # sealing) inside `hash`; older links have neither sealed (None).
    figures: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_play_log_links_kiosk_day", "kiosk_id", "day", unique=True),)


class PlayRollup(db.Model):
    """The plays of one screen, one sealed day, one hour and one item (as one version) added up.

    Raw plays older than PLAY_RAW_DAYS are replaced by these, so storage stays bounded while every
    figure a report reads (count, seconds, first and last start, version and content hash) stays
    exact. `rows_hash` is the digest of the raw rows replaced (domain/play_log.py).
    """

    __tablename__ = "play_rollups"

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date())  # the sealed day (PlayLogLink.day) the plays were stored on
    hour: Mapped[datetime] = mapped_column(UTCDateTime())  # start of the UTC hour the plays started in
    item: Mapped[str] = mapped_column(String(32))
    notice_id: Mapped[int | None] = mapped_column(nullable=True)
    notice_version: Mapped[int | None] = mapped_column(nullable=True)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    plays: Mapped[int]
    seconds: Mapped[float]
    first_started: Mapped[datetime] = mapped_column(UTCDateTime())
    last_started: Mapped[datetime] = mapped_column(UTCDateTime())
    rows_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_play_rollups_kiosk_day", "kiosk_id", "day"),
        Index("ix_play_rollups_notice_hour", "notice_id", "hour"),
        Index("ix_play_rollups_hour", "hour"),
    )


class PlayDay(db.Model):
    """Plays and seconds of one screen on one Viet Nam day (by when they started), kept as plays are stored.

    The yearly summary of a province reads these (about 300 screens x 365 rows) instead of millions
    of plays; `verify-log` checks them against the plays and roll-ups.
    """

    __tablename__ = "play_days"

    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    plays: Mapped[int]
    seconds: Mapped[float]

    __table_args__ = (Index("ix_play_days_day", "day"),)


class PlayLogCheckpoint(db.Model):
    """The newest link of a screen's chain that `verify-log` found matching its rows, and when.

    The next `verify-log` rereads rows only after it (`--full` rereads everything), and a checkpoint
    link whose hash has changed since means the chain was rewritten, consistently or not.
    """

    __tablename__ = "play_log_checkpoints"

    kiosk_id: Mapped[int] = mapped_column(primary_key=True)  # no foreign key, as PlayLogLink
    day: Mapped[date] = mapped_column(Date())
    hash: Mapped[str] = mapped_column(String(64))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
