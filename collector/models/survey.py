"""Surveys and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collector.models.base import Base


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("site_id", "key", name="uq_surveys_site_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    # Salt of the sticky sample: a person's draw is SHA-256(salt, person), fixed for the survey.
    salt: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_versions.id", use_alter=True, name="fk_surveys_current_version")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    current_version: Mapped[SurveyVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class SurveyVersion(Base):
    """Never updated: a change to a survey writes a new version with ``number + 1``."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number", name="uq_survey_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    # Texts per locale, rules, appearance: the whole definition, validated by SurveyConfigSchema.
    config: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100), default="")
