"""A backend says "survey this person now (or later)": decide, then create the invitation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from collector.eligibility.decision_counts import count_decision
from collector.eligibility.facts import Who, evaluate, site_defaults
from collector.eligibility.invitation_links import issue_token
from collector.eligibility.invitations import (
    DEFAULT_EXPIRY_DAYS,
    create_invitation,
    find_pending,
    mark_sent,
    schedule,
)
from collector.languages.catalogs import locale_candidates
from collector.languages.survey_texts import choose_survey_locale
from collector.models import Invitation, Site, Survey
from collector.people.lookup import find_person, upsert_person


class EmailRequired(ValueError):
    """The email channel needs an address, given now or stored for the person."""


@dataclass(frozen=True)
class TriggerRequest:
    who: Who
    channel: str
    name: str | None = None
    locale: str | None = None
    touchpoint: str | None = None
    value: float | None = None
    delay: timedelta | None = None
    send_at: datetime | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class TriggerAnswer:
    eligible: bool
    reason: str
    invitation: Invitation | None = None
    # The raw link token: only a newly created link/email invitation has one to give.
    token: str | None = None


def trigger(session: Session, site: Site, survey: Survey, request: TriggerRequest,
            now: datetime, *, secret: str) -> TriggerAnswer:
    """Decide and, when eligible, invite; ``secret`` (the instance's) derives the link."""
    who = request.who
    if request.dry_run:
        person = find_person(session, site.id, user_id=who.user_id, email=who.email)
    else:
        person = upsert_person(session, site.id, now, user_id=who.user_id, email=who.email,
                               name=request.name, locale=request.locale,
                               properties=who.properties, value=request.value,
                               signed_up_at=who.signed_up_at)
    if request.channel == "email" and not (who.email or (person is not None and person.email)):
        raise EmailRequired(request.channel)
    if person is not None and person.id is not None:
        pending = find_pending(session, survey.id, person.id,
                               None if request.dry_run else now)
        if pending is not None:
            return TriggerAnswer(True, "eligible", pending)
    delayed = bool(request.delay) or request.send_at is not None
    send_at = request.send_at or (now + request.delay if request.delay else now)
    assert survey.current_version is not None
    candidates = locale_candidates(request.locale, person.locale if person else None, None,
                                   site.default_locale)
    locale = choose_survey_locale(survey.current_version.config, candidates)
    decision = evaluate(session, site, survey, person, who, now=now,
                        has_translation=locale is not None, channel=request.channel,
                        touchpoint=request.touchpoint, delayed=delayed)
    eligible = decision.eligible or decision.wait_until is not None
    reason = "eligible" if eligible else decision.reason
    if request.dry_run:
        return TriggerAnswer(eligible, reason)
    count_decision(session, survey, reason, now)
    if not eligible or person is None:
        return TriggerAnswer(eligible, reason)
    if decision.wait_until is not None:
        # Surveyed about support only once the delay after the last resolution has passed.
        send_at = max(send_at, decision.wait_until)
    expiry = int(site_defaults(site).get("invitation_expiry_days", DEFAULT_EXPIRY_DAYS))
    touchpoint = request.touchpoint or survey.current_version.config.get("touchpoint")
    properties: dict[str, Any] = dict(who.properties or {})
    invitation, created = create_invitation(
        session, survey, person, channel=request.channel, send_at=send_at, now=now,
        touchpoint=touchpoint, locale=locale, properties=properties, value=request.value,
        expiry_days=expiry)
    if not created:
        return TriggerAnswer(True, "eligible", invitation)
    link = request.channel != "in_app"
    token = issue_token(session, invitation, now, secret=secret) if link else None
    if request.channel == "link" and send_at <= now:
        mark_sent(session, invitation, now)
    elif request.channel == "email" or send_at > now:
        # Email always goes through the worker; a later send re-checks the rules then.
        schedule(session, invitation, now)
    return TriggerAnswer(True, "eligible", invitation, token)
