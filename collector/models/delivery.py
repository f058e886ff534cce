"""Webhook endpoints a site registers, and the log of every delivery attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_site", "site_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # Event types this endpoint receives; an empty list means every type.
    events: Mapped[list[Any]] = mapped_column(default=list)
    # ``whsec_<base64>``: kept in clear because every delivery must be signed with it.
    secret: Mapped[str] = mapped_column(String(100))
    # During a rotation deliveries carry a signature with each secret until it expires.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None]
    # Every rotated secret still inside its overlap: [{"secret", "expires_at" (ISO 8601)}].
    previous_secrets: Mapped[list[Any] | None] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # standard (signed JSON event) | slack (Block Kit) | teams (Adaptive Card)
    format: Mapped[str] = mapped_column(String(16), default="standard",
                                        server_default="standard")


class WebhookDelivery(Base):
    """One HTTP attempt to deliver one event to one endpoint."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "attempted_at"),
        Index("ix_webhook_deliveries_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    job_id: Mapped[int | None]
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int]
    attempted_at: Mapped[datetime]
