"""Answers, and the stored results of idempotent requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_site_created", "site_id", "created_at", "id"),
        Index("ix_responses_survey_created", "survey_id", "created_at", "category", "score"),
        Index("ix_responses_person", "person_id", "created_at"),
        # A submit counts its fingerprint's recent answers per survey and per site.
        Index("ix_responses_survey_fingerprint", "survey_id", "fingerprint", "created_at"),
        Index("ix_responses_site_fingerprint", "site_id", "fingerprint", "created_at"),
        # The console's quarantine review: held-back answers only (a partial index).
        Index("ix_responses_quarantined", "site_id", "id",
              sqlite_where=text("verdict = 'quarantined'"),
              postgresql_where=text("verdict = 'quarantined'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    invitation_id: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int]
    # detractor | passive | promoter, derived from score when written so SQL can aggregate it.
    category: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    # Answers to the optional second question and any later ones, by question id.
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    locale: Mapped[str | None] = mapped_column(String(35))
    channel: Mapped[str] = mapped_column(String(16), default="in_app")
    touchpoint: Mapped[str | None] = mapped_column(String(64))
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    value: Mapped[float | None]
    # accepted | quarantined | released: quarantined answers are kept, never dropped.
    verdict: Mapped[str] = mapped_column(String(12), default="accepted")
    verdict_reasons: Mapped[list[Any]] = mapped_column(default=list)
    # Noted for review, never a reason on their own (fingerprint_changed, client_too_fast).
    verdict_signals: Mapped[list[Any] | None] = mapped_column(default=list)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class IdempotencyRecord(Base):
    """The first answer to a request made with an ``Idempotency-Key``, replayed for repeats."""

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("site_id", "endpoint", "key", name="uq_idempotency_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)
