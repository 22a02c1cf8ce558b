"""Time-based work stored in the database and done by whichever server process is alive.

A timer in one process dies with it: an alert due in ten minutes would never reach a screen if the
process that raised it restarted in between. Instead the work is a `DueJob` row; every serving process
runs `run_due` every DUE_POLL_SECONDS and claims due rows with a conditional update (on SQLite and
PostgreSQL alike the second claimer of a row updates nothing), runs them, and deletes them. A claim is
a lease: a process that dies mid-job leaves it to lapse, and another process runs the job again, so
handlers must be idempotent (sending an alert twice shows it once; a manifest nudge twice costs a 304).
A handler that fails is retried with a growing delay, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from kiosk_server.extensions import db
from kiosk_server.models import DueJob
from kiosk_server.models.base import utcnow
from kiosk_server.services.core import metrics

LEASE = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=10)

_handlers: dict[str, Callable[[dict], None]] = {}


def handler(kind: str) -> Callable[[Callable[[dict], None]], Callable[[dict], None]]:
    """Register the function that does jobs of `kind` (it receives the job's payload)."""

    def register(func: Callable[[dict], None]) -> Callable[[dict], None]:
        _handlers[kind] = func
        return func

    return register


def schedule(kind: str, payload: dict, due_at: datetime | None = None) -> DueJob:
    """Store a job to run at `due_at` (now when None); the caller commits it with its own change."""
    job = DueJob(kind=kind, payload=payload, due_at=due_at or utcnow(), attempts=0, last_error="")
    db.session.add(job)
    return job


def _claim(job_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(DueJob)
        .where(DueJob.id == job_id, or_(DueJob.claimed_until.is_(None), DueJob.claimed_until < now))
        .values(claimed_until=now + LEASE, attempts=DueJob.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def run_due(now: datetime | None = None, limit: int = 100, *, kinds: tuple[str, ...] | None = None,
            skip: tuple[str, ...] = ()) -> int:
    """Run the jobs that are due and not claimed by a live process; return how many were done.

    `kinds` limits the run to those kinds and `skip` leaves some out, so slow work (polling a
    source over the network) can run in a loop of its own and never delay an alert that is due.
    """
    now = now or utcnow()
    query = select(DueJob.id).where(DueJob.due_at <= now, or_(DueJob.claimed_until.is_(None), DueJob.claimed_until < now))
    if kinds is not None:
        query = query.where(DueJob.kind.in_(kinds))
    if skip:
        query = query.where(DueJob.kind.not_in(skip))
    ids = db.session.scalars(query.order_by(DueJob.due_at, DueJob.id).limit(limit)).all()
    db.session.commit()  # end the read transaction: nothing may sit "idle in transaction"
    return sum(run_job(job_id, now) for job_id in ids)


def run_job(job_id: int, now: datetime | None = None) -> bool:
    """Claim the job, run it and delete it; return True when done (False: taken by another process, or failed)."""
    now = now or utcnow()
    if not _claim(job_id, now):
        return False  # another process took it
    job = db.session.get(DueJob, job_id)
    kind, payload, attempts = job.kind, dict(job.payload or {}), job.attempts
    db.session.commit()
    try:
        func = _handlers[kind]
        func(payload)
        db.session.commit()
    except Exception as error:  # the job stays, retried later; one bad job must not stop the others
        db.session.rollback()
        metrics.error("due_job")
        current_app.logger.exception("due job %s (%s) failed", job_id, kind)
        backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(attempts, 10)))
        db.session.execute(update(DueJob).where(DueJob.id == job_id).values(
            claimed_until=None, due_at=utcnow() + backoff, last_error=f"{type(error).__name__}: {error}"[:2000]))
        db.session.commit()
        return False
    db.session.execute(delete(DueJob).where(DueJob.id == job_id))
    db.session.commit()
    return True


def pending(kind: str | None = None) -> list[DueJob]:
    """Return the jobs not yet done (for officers' pages and tests), soonest first."""
    query = select(DueJob).order_by(DueJob.due_at, DueJob.id)
    if kind:
        query = query.where(DueJob.kind == kind)
    return list(db.session.scalars(query))
