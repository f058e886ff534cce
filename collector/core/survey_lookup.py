"""Finding a site's surveys: the read nearly every capability makes, kept below them all so
the config cache and the views' lookups can share it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from collector.models import Survey


def find_survey(session: Session, site_id: int, key: str, *,
                with_version: bool = False) -> Survey | None:
    """``with_version`` loads the current version in the same statement (hot paths)."""
    query = select(Survey).where(Survey.site_id == site_id, Survey.key == key)
    if with_version:
        query = query.options(joinedload(Survey.current_version))
    return session.scalars(query).first()


def list_surveys(session: Session, site_id: int) -> list[Survey]:
    return list(session.scalars(
        select(Survey).where(Survey.site_id == site_id).order_by(Survey.key)
    ))
