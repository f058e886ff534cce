"""Lookups the views share: the calling site's survey by key, or a 404 naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask import g

from collector.core.config_cache import SurveySnapshot, cached_survey, config_cache
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.models import Survey

S = TypeVar("S")


def survey_or_404(key: str, *, field: str = "survey") -> Survey:
    return _found_or_404(find_survey(db.session, g.key.site_id, key), key, field)


def cached_survey_or_404(key: str, *, field: str = "survey") -> SurveySnapshot:
    """The survey with its current version, read through the process's config cache."""
    return _found_or_404(cached_survey(config_cache(), db.session, g.key.site_id, key),
                         key, field)


def _found_or_404(survey: S | None, key: str, field: str) -> S:
    if survey is None:
        raise APIError(404, "survey_not_found", f"No survey {key!r} on this site.", field=field)
    return survey


def survey_filter(args: Mapping[str, Any]) -> int | None:
    """The id behind an optional ``survey`` query argument (``None`` when absent)."""
    return survey_or_404(args["survey"]).id if "survey" in args else None
