"""Help-desk integrations (Zendesk, Freshdesk, Intercom) and the log of every delivery they
sent us, accepted or refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class HelpdeskIntegration(Base):
    __tablename__ = "helpdesk_integrations"
    __table_args__ = (Index("ix_helpdesk_integrations_site", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    # zendesk | freshdesk | intercom
    vendor: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    # Kept in clear, like webhook secrets: every delivery's signature is checked with it.
    secret: Mapped[str] = mapped_column(String(200))
    # During a rotation the old secret is still accepted until it expires.
    previous_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_expires_at: Mapped[datetime | None]
    # The survey a solved ticket schedules; ``None``: the site's support_resolution survey.
    survey_key: Mapped[str | None] = mapped_column(String(64))
    # email | in_app: how that survey reaches the requester.
    channel: Mapped[str] = mapped_column(String(12), default="email")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class IntegrationDelivery(Base):
    """One request a help desk sent: what it said, and what Tenpoint did with it."""

    __tablename__ = "integration_deliveries"
    __table_args__ = (
        Index("ix_integration_deliveries_integration", "integration_id", "received_at"),
        # A signature (Zendesk) or notification id (Intercom) is accepted once only.
        UniqueConstraint("integration_id", "replay_key",
                         name="uq_integration_deliveries_replay"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("helpdesk_integrations.id", ondelete="CASCADE"))
    # accepted | refused
    outcome: Mapped[str] = mapped_column(String(10))
    # applied, unchanged, ignored, or the error code of a refusal
    code: Mapped[str] = mapped_column(String(40))
    status_code: Mapped[int]
    message: Mapped[str | None] = mapped_column(Text)
    # The vendor's own words: Zendesk/Freshdesk status, Intercom topic.
    vendor_event: Mapped[str | None] = mapped_column(String(100))
    ticket_id: Mapped[str | None] = mapped_column(String(200))
    ticket_status: Mapped[str | None] = mapped_column(String(12))
    event_at: Mapped[datetime | None]
    invitation_id: Mapped[int | None]
    # SHA-256 of what makes a delivery unique; set on accepted deliveries only.
    replay_key: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime]
