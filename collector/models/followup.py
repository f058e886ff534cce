"""Follow-up cases: a detractor (or passive) answer someone must act on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class FollowupCase(Base):
    __tablename__ = "followup_cases"
    __table_args__ = (
        Index("ix_followup_cases_site_status", "site_id", "status", "due_at"),
        Index("ix_followup_cases_person", "person_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    score: Mapped[int]
    touchpoint: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(100))
    owner: Mapped[str | None] = mapped_column(String(200))
    # open | contacted | resolved | won_back
    status: Mapped[str] = mapped_column(String(12), default="open")
    due_at: Mapped[datetime]
    contacted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Entries {"at", "actor", "kind", ...}: created, assigned, status, note, won_back.
    timeline: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
