"""Work due at a set time, stored so that any live server process can do it (and none loses it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_server.extensions import db
from kiosk_server.models.base import UTCDateTime, utcnow


class DueJob(db.Model):
    """One piece of work (`kind` with its `payload`) to run at `due_at`.

    A process claims a job by moving `claimed_until` forward in a conditional update; a claimer that
    dies leaves the claim to lapse and another process runs the job. Done jobs are deleted.
    """

    __tablename__ = "due_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
