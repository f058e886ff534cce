"""Durable jobs: written in the transaction of the event that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base

# At most one *queued* job per dedupe key: several workers may all try to schedule the next
# periodic run, the database keeps one (a running instance does not count, so a job can queue
# its own successor).
QUEUED_ONLY = "status = 'queued' AND dedupe_key IS NOT NULL"


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_due", "status", "run_at"),
        Index("ix_jobs_dedupe", "dedupe_key", "status"),
        Index("uq_jobs_dedupe_queued", "dedupe_key", unique=True,
              postgresql_where=text(QUEUED_ONLY), sqlite_where=text(QUEUED_ONLY)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    # queued | running | done | dead
    status: Mapped[str] = mapped_column(String(10), default="queued")
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    # The worker holding the lease; a worker only finishes a job it still holds.
    locked_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Periodic jobs (collector/delivery/periodic.py): e.g. "alerts.check" or "digest.weekly:3".
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OnceMark(Base):
    """A side effect outside the database that must happen once (a digest email for one site,
    team and week): the unique key is written in the same transaction as the job's result."""

    __tablename__ = "once_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
