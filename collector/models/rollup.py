"""The daily NPS roll-up: additive sums per UTC day, so metrics over a year read a few
thousand rows instead of a million. Maintained by collector/rollup.py; design in
docs/metrics-rollup.md."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base


class NpsDailyRollup(Base):
    """Sums over one (site, survey, UTC day, touchpoint, channel, locale) cell.

    Counted (accepted or released) answers feed the category counts and weight sums;
    quarantined ones only ``quarantined``. No unique constraint: touchpoint and locale may be
    NULL; the roll-up job replaces a day's rows wholesale, which keeps each cell single.
    """

    __tablename__ = "nps_daily_rollups"
    __table_args__ = (Index("ix_nps_daily_rollups_site_day", "site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    touchpoint: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(35))
    promoters: Mapped[int]
    passives: Mapped[int]
    detractors: Mapped[int]
    quarantined: Mapped[int]
    # Σw and Σw² per category (w = value when positive, else 0), as collector/metrics.py sums.
    promoter_weight: Mapped[float]
    promoter_weight_squared: Mapped[float]
    passive_weight: Mapped[float]
    passive_weight_squared: Mapped[float]
    detractor_weight: Mapped[float]
    detractor_weight_squared: Mapped[float]


class NpsRollupDirtyDay(Base):
    """A day whose rolled-up figures went stale (a release, an erasure): read raw until the
    job recomputes it."""

    __tablename__ = "nps_rollup_dirty_days"
    __table_args__ = (Index("ix_nps_rollup_dirty_days_site_day", "site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)


class NpsRollupState(Base):
    """One row: every response with ``id <= watermark`` is in the roll-up. ``horizon`` is
    the highest id seen by the previous run; the next run rolls up only to it, so a
    transaction still in flight with a lower id is never skipped (see the design doc)."""

    __tablename__ = "nps_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    watermark: Mapped[int] = mapped_column(default=0)
    horizon: Mapped[int] = mapped_column(default=0)
    # Bumped by every run that changes the roll-up: readers check it did not move under them.
    generation: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]
