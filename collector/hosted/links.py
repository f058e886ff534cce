"""Hosted survey pages (``/s/<token>``): what a link token leads to, and answering it.

A token is single use: the first score recorded through it marks its invitation answered
with a conditional UPDATE, so two tabs (or a double click) store one response, and every
later visit shows "already answered" instead of an error. A GET never records anything:
mail scanners open every link in an email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from collector.core.rows import rows_changed
from collector.eligibility.invitation_links import find_invitation_by_token
from collector.languages.catalogs import catalog_for, locale_candidates
from collector.languages.survey_texts import choose_survey_locale, survey_texts, text_direction
from collector.models import Invitation, Person, Response, Site, Survey
from collector.protection.verdicts import Verdict
from collector.responses.recording import NewResponse, record_response

OPEN_STATUSES = ("pending", "sent")


@dataclass(frozen=True)
class Visit:
    """The state of a link: ``open``, ``answered``, ``expired`` or ``invalid``."""

    state: str
    invitation: Invitation | None = None
    survey: Survey | None = None
    person: Person | None = None
    site: Site | None = None


def visit(session: Session, raw_token: str, now: datetime) -> Visit:
    invitation = find_invitation_by_token(session, raw_token)
    if invitation is None:
        return Visit("invalid")
    survey = session.get(Survey, invitation.survey_id)
    person = session.get(Person, invitation.person_id)
    site = session.get(Site, invitation.site_id)
    if invitation.status == "answered":
        state = "answered"
    elif (invitation.status not in OPEN_STATUSES or survey is None or not survey.active
          or (invitation.expires_at is not None and invitation.expires_at <= now)):
        state = "expired"
    else:
        state = "open"
    return Visit(state, invitation, survey, person, site)


@dataclass(frozen=True)
class PageLanguage:
    locale: str
    dir: str
    texts: dict[str, Any]


def page_language(found: Visit, accept_language: str | None, *,
                  with_texts: bool = True) -> PageLanguage:
    """The person's language: the invitation's, their stored one, the browser's, the site's.
    A survey page takes the first the survey has texts for; a message page (already
    answered, expired, unsubscribed) the first with an interface catalog."""
    stored = found.person.locale if found.person else None
    explicit = found.invitation.locale if found.invitation else None
    default = found.site.default_locale if found.site else "en"
    candidates = locale_candidates(explicit, stored, accept_language, default)
    if with_texts and found.survey is not None and found.survey.current_version is not None:
        config = found.survey.current_version.config
        locale = choose_survey_locale(config, candidates)
        if locale is not None:
            return PageLanguage(locale, text_direction(locale), survey_texts(config, locale))
    first = interface_language(candidates)
    return PageLanguage(first, text_direction(first), {})


def interface_language(candidates: list[str]) -> str:
    """The first candidate Tenpoint has interface strings for; English when none."""
    return next((tag for tag in candidates if catalog_for(tag)), "en")


def answer(session: Session, found: Visit, score: int, locale: str, now: datetime, *,
           verdict: Verdict) -> Response | None:
    """Record the score; ``None`` when the link was used meanwhile (single use)."""
    invitation, survey = found.invitation, found.survey
    assert invitation is not None and survey is not None
    claimed = rows_changed(session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status.in_(OPEN_STATUSES))
        .values(status="answered", answered_at=now)
        .execution_options(synchronize_session=False)
    ))
    if not claimed:
        return None
    session.refresh(invitation)
    response = record_response(session, survey, found.person, NewResponse(
        score=score, locale=locale, channel=invitation.channel, touchpoint=invitation.touchpoint,
        properties=dict(invitation.properties or {}), value=invitation.value,
        invitation_id=invitation.id, verdict=verdict.verdict,
        verdict_reasons=verdict.reasons,
    ), now)
    return response
