"""Sites (one customer product each) and the API keys that act for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    allowed_origins: Mapped[list[Any]] = mapped_column(default=list)
    default_locale: Mapped[str] = mapped_column(String(35), default="en")
    # Secret the site's backend uses to sign person ids for the widget (identity verification).
    identity_secret: Mapped[str] = mapped_column(String(128))
    require_identity: Mapped[bool] = mapped_column(default=False)
    # Site-wide defaults for eligibility, retention and follow-up rules; see docs/.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]

    keys: Mapped[list[ApiKey]] = relationship(back_populates="site")


class ApiKey(Base):
    """Only the SHA-256 of a key is stored; ``prefix`` lets people recognise it."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_site_role", "site_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    # Set on a key that remains a member of a team-restricted view (frontline users).
    team: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    # A revoked key stops at once; a rotated key stops at ``expires_at``.
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    site: Mapped[Site] = relationship(back_populates="keys")
