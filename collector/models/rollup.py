"""The NPS roll-ups: additive sums per UTC day, so metrics over a year read a few thousand
rows instead of a million. Maintained by collector/analytics/rollup_builder.py; design in
docs/metrics-rollup.md."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from collector.models.base import Base
from collector.models.engagement import Ticket


class RollupSums:
    """One cell of a roll-up (site, survey, UTC day) and its additive sums, as
    collector/analytics/metrics.py sums raw answers.

    Counted (accepted or released) answers feed the category counts and weight sums;
    quarantined ones only ``quarantined``.
    """

    # The cell's key every roll-up shares; each table adds its own grouping columns.
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)

    promoters: Mapped[int]
    passives: Mapped[int]
    detractors: Mapped[int]
    quarantined: Mapped[int]
    # Σw and Σw² per category (w = value when positive, else 0).
    promoter_weight: Mapped[float]
    promoter_weight_squared: Mapped[float]
    passive_weight: Mapped[float]
    passive_weight_squared: Mapped[float]
    detractor_weight: Mapped[float]
    detractor_weight_squared: Mapped[float]


class NpsDailyRollup(RollupSums, Base):
    """Sums over one (site, survey, UTC day, touchpoint, channel, locale) cell.

    No unique constraint: touchpoint and locale may be NULL; the roll-up job replaces a day's
    rows wholesale, which keeps each cell single.
    """

    __tablename__ = "nps_daily_rollups"
    __table_args__ = (Index("ix_nps_daily_rollups_site_day", "site_id", "day"),)

    touchpoint: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(35))


class NpsPropertyRollup(RollupSums, Base):
    """Sums over one (site, survey, UTC day, property name, property value) cell, for the
    property names the site rolls up (``NpsRollupProperty``). ``value`` is the property
    stored on the response (a snapshot taken when the answer came), NULL when absent."""

    __tablename__ = "nps_property_rollups"
    __table_args__ = (Index("ix_nps_property_rollups_site_name_day", "site_id", "name", "day"),)

    name: Mapped[str] = mapped_column(String(64))
    # The text the raw query groups by (collector.analytics.rollup_builder.property_key): on
    # both databases a number or boolean is cast to text, so 9 and "9" are one value.
    value: Mapped[str | None] = mapped_column(Text)


class NpsTicketRollup(RollupSums, Base):
    """Sums over one (site, survey, UTC day, ticket resolution bucket) cell: the bucket of
    the answering person's most recently resolved ticket when the day was rebuilt
    (collector.analytics.rollup_builder.ticket_bucket). Tickets change after the answer: the job
    rebuilds the days of a person whose tickets changed, readers read them raw until then."""

    __tablename__ = "nps_ticket_rollups"
    __table_args__ = (Index("ix_nps_ticket_rollups_site_day", "site_id", "day"),)

    bucket: Mapped[str] = mapped_column(String(16))


# Tickets changed since the job last looked (readers and the job ask for them every time).
TICKETS_UPDATED_INDEX = Index("ix_tickets_updated_at", Ticket.updated_at)


class NpsRollupProperty(Base):
    """A property name one site rolls up, and how far it got: ``pending`` (the next run
    fills every day), ``ready`` (readers use it), ``overflow`` (more than the allowed
    distinct values: its rows are dropped and reports scan raw answers)."""

    __tablename__ = "nps_rollup_properties"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Distinct non-null values at the last check (what decided ``overflow``).
    distinct_values: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]


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
    # Ticket changes stamped up to here are in ``nps_ticket_rollups``; NULL: not filled yet.
    ticket_watermark: Mapped[datetime | None]
    updated_at: Mapped[datetime]
