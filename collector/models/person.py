"""People a site surveys, known by an external id, an email, or an anonymous browser id."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class _Identified(Protocol):
    external_id: str | None
    email: str | None
    erased_at: datetime | None


class ShownIdentifiers:
    """The user id and email as every answer shows them: an erased person's are erasure
    marks (collector/people/lookup.py), shown as nothing. Shared by the ORM row and the hot path's
    ``PersonRecord``, so the rule is written once."""

    @property
    def shown_user_id(self: _Identified) -> str | None:
        return None if self.erased_at else self.external_id

    @property
    def shown_email(self: _Identified) -> str | None:
        return None if self.erased_at else self.email


class Person(ShownIdentifiers, Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("site_id", "external_id", name="uq_people_site_external"),
        UniqueConstraint("site_id", "anonymous_id", name="uq_people_site_anonymous"),
        Index("ix_people_site_email", "site_id", "email"),
        # One person per email among those known by email alone (migration 0017); people
        # with a user id are unique by it and may share an address.
        Index("uq_people_site_email", "site_id", "email", unique=True,
              postgresql_where=text("external_id IS NULL AND email IS NOT NULL"),
              sqlite_where=text("external_id IS NULL AND email IS NOT NULL")),
        # Housekeeping's expiry of anonymous people (collector/governance/anonymous_people.py).
        Index("ix_people_anonymous_updated", "updated_at",
              postgresql_where=text("external_id IS NULL AND email IS NULL "
                                    "AND erased_at IS NULL"),
              sqlite_where=text("external_id IS NULL AND email IS NULL AND erased_at IS NULL")),
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
    # their identifiers hold erasure marks (collector/people/lookup.py), never shown.
    erased_at: Mapped[datetime | None]
    # When the person signed up to the host product, as its backend says (people, triggers,
    # the SDK): ``too_soon_after_signup`` counts from here (docs/eligibility.md).
    signed_up_at: Mapped[datetime | None]
