"""What eligibility remembers: contacts, support tickets, invitations and decision counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class Contact(Base):
    """One moment a person met a survey: shown, sent, declined or answered.

    Read per person and newest first, so the cost of a decision depends on that person's
    history only, never on how many answers the site has stored.
    """

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_person_at", "person_id", "at"),
        Index("ix_contacts_display", "site_id", "display_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # shown | sent | declined | answered
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(16))
    # The id handed to the widget with an eligible answer; a decline names it.
    display_id: Mapped[str | None] = mapped_column(String(40))
    invitation_id: Mapped[int | None]
    at: Mapped[datetime]


class Ticket(Base):
    """A support ticket's latest known status; events older than ``status_at`` are ignored."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("site_id", "external_id", name="uq_tickets_site_external"),
        Index("ix_tickets_person_status", "person_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    # open | pending | solved | closed
    status: Mapped[str] = mapped_column(String(10))
    status_at: Mapped[datetime]
    # When the ticket last became solved or closed; the resolution delay counts from here.
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Invitation(Base):
    """A survey to put in front of one person through one channel, now or later.

    At most one ``pending`` invitation per person and survey: a partial unique index makes
    two racing triggers create one row.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_site_id", "site_id", "id"),
        Index("ix_invitations_person", "person_id", "survey_id", "status"),
        Index("uq_invitations_one_pending", "survey_id", "person_id", unique=True,
              postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
        Index("ix_invitations_token", "token_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    # in_app | email | link
    channel: Mapped[str] = mapped_column(String(16))
    touchpoint: Mapped[str | None] = mapped_column(String(64))
    # pending | sent | answered | cancelled | expired
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # SHA-256 hex of the raw link token; the token itself is never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64))
    send_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    locale: Mapped[str | None] = mapped_column(String(35))
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    value: Mapped[float | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class DecisionCount(Base):
    """How many decisions ended with ``reason`` for a survey on a UTC day."""

    __tablename__ = "decision_counts"
    __table_args__ = (
        UniqueConstraint("survey_id", "day", "reason", name="uq_decision_counts_key"),
        Index("ix_decision_counts_site_day", "site_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(default=0)
