"""Surveys: the list with versions and rules; editing texts, rules and appearance with a
preview in each locale. Every saved change is a new version (``update_survey``)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from collector.console.survey_editing import (
    APPEARANCE_FIELDS,
    POSITIONS,
    RULE_FIELDS,
    TEXT_FIELDS,
    THEMES,
    EditError,
    edited,
    form_values,
    previews,
    survey_lines,
    versions_of,
)
from collector.console.views import actor, bp, viewer
from collector.core.clock import now
from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.models import Survey
from collector.surveys.definitions import update_survey


def _survey_or_404(key: str) -> Survey:
    survey = find_survey(db.session, g.console_key.site_id, key)
    if survey is None or survey.current_version is None:
        abort(404)
    return survey


def _page(survey: Survey, values: dict[str, str], config: dict[str, Any],
          errors: dict[str, str] | None = None) -> str:
    return render_template(
        "console/survey.html", survey=survey, version=survey.current_version,
        versions=versions_of(db.session, survey), values=values, errors=errors or {},
        previews=previews(config), text_fields=TEXT_FIELDS, rule_fields=RULE_FIELDS,
        appearance_fields=APPEARANCE_FIELDS, positions=POSITIONS, themes=THEMES,
        locales=sorted((config.get("texts") or {}).keys()))


@bp.get("/surveys")
@viewer
def surveys() -> ResponseReturnValue:
    """Every survey with its current version, locales and rules."""
    return render_template("console/surveys.html",
                           lines=survey_lines(db.session, g.console_key.site_id))


@bp.get("/surveys/<key>")
@viewer
def survey(key: str) -> ResponseReturnValue:
    """One survey: its versions, the edit form (admin keys) and the preview per locale."""
    found = _survey_or_404(key)
    version = found.current_version
    assert version is not None
    return _page(found, form_values(version.name, version.config), version.config)


@bp.post("/surveys/<key>")
@viewer
def edit_survey(key: str) -> ResponseReturnValue:
    """Save the form as the next version; a form with errors is shown again, unsaved."""
    found = _survey_or_404(key)
    version = found.current_version
    assert version is not None
    try:
        name, config = edited(version.name, version.config, request.form)
    except EditError as error:
        return _page(found, {**form_values(version.name, version.config),
                             **request.form.to_dict()}, version.config, error.errors), 422
    before = version.number
    update_survey(db.session, found, changes={"name": name, "config": config}, now=now(),
                  actor=actor())
    db.session.commit()
    after = found.current_version.number if found.current_version else before
    flash(f"Saved as version {after}." if after != before else "Nothing changed.")
    return redirect(url_for("console.survey", key=found.key), code=303)
