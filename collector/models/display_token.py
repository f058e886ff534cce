"""Display tokens already answered: one row per token id, so a token is used once however
many collector processes receive it (collector/protection/display_tokens.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class DisplayTokenUse(Base):
    __tablename__ = "display_token_uses"
    __table_args__ = (Index("ix_display_token_uses_used", "used_at"),)

    # The token's random id: the primary key is the unique index single use relies on.
    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    survey_id: Mapped[int]
    used_at: Mapped[datetime]
