"""People a site surveys, known by an external id, an email, or an anonymous browser id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("site_id", "external_id", name="uq_people_site_external"),
        UniqueConstraint("site_id", "anonymous_id", name="uq_people_site_anonymous"),
        Index("ix_people_site_email", "site_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(200))
    anonymous_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(35))
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    value: Mapped[float | None]
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    unsubscribed_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]
    # An erased person keeps this row (with no personal data) so nobody contacts them again;
    # their identifiers hold erasure marks (collector/people.py), never shown.
    erased_at: Mapped[datetime | None]

    @property
    def shown_user_id(self) -> str | None:
        return None if self.erased_at else self.external_id

    @property
    def shown_email(self) -> str | None:
        return None if self.erased_at else self.email
