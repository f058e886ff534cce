"""The widget's question on a page view: which survey, may it be shown now, and in which
locale. Gathers, decides (``collector.eligibility.rules``), then records the display.

Storage follows what happens, not traffic: someone never stored is judged as an unsaved
person and written only with a display. A refused check for them writes no row (no person,
no contact); only the aggregate decision count moves (docs/eligibility.md, "What a check
writes")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from collector.core.config_cache import ConfigCache, cached_survey, cached_surveys
from collector.eligibility.decision_counts import count_decision
from collector.eligibility.facts import (
    Who,
    contact_window,
    evaluate,
    person_facts,
    record_display,
    rules_for,
)
from collector.eligibility.history import read_history
from collector.eligibility.rules import ContactFact, Rules, Situation, TicketFacts, decide
from collector.languages.catalogs import locale_candidates
from collector.languages.survey_texts import choose_survey_locale, display_payload
from collector.models import Invitation, Survey
from collector.people.lookup import PersonClaim, save_person_record, unsaved_person


@dataclass(frozen=True)
class DisplayRequest:
    who: Who
    survey_key: str | None = None
    locale: str | None = None
    accept_language: str | None = None
    url: str | None = None
    event: str | None = None
    dry_run: bool = False


@dataclass
class DisplayAnswer:
    eligible: bool
    reason: str
    survey: dict[str, Any] | None = None
    display_id: str | None = None
    # Seconds the widget may skip its automatic page-view checks (docs/eligibility.md).
    recheck_after: int | None = None
    # The survey shown (not in a dry run): its display gets a token (docs/protection.md).
    shown: Any = None


def _url_matches(pattern: str, url: str) -> bool:
    """A pattern with a scheme matches the whole URL, otherwise the path; ``*`` is a
    wildcard (``/checkout/*``, ``https://app.example.com/*``)."""
    target = url if "://" in pattern else (urlsplit(url).path or "/")
    return fnmatchcase(target, pattern)


def show_on_matches(config: dict[str, Any], url: str | None, event: str | None) -> bool:
    """A named event matches surveys listing it; a page view matches surveys whose URL
    patterns match, or which name neither events nor URLs (any page view)."""
    show_on = config.get("show_on") or {}
    events, urls = show_on.get("events") or [], show_on.get("urls") or []
    if event:
        return event in events
    if urls:
        return url is not None and any(_url_matches(pattern, url) for pattern in urls)
    return not events


def _shown_on_page_views(survey: Any) -> bool:
    """Active, with a version, and matching some page view: URL patterns, or no targeting
    at all (a survey naming only events is shown through ``track``, never on a page view)."""
    version = survey.current_version
    if not survey.active or version is None:
        return False
    show_on = version.config.get("show_on") or {}
    return bool(show_on.get("urls")) or not show_on.get("events")


def nothing_to_show(surveys: tuple[Any, ...], rules: dict[int, Rules], person: Any, who: Who,
                    contacts: tuple[ContactFact, ...], tickets: TicketFacts,
                    now: datetime) -> bool:
    """No survey of the site could be shown to this person now, on any page.

    Each survey that page views can show is decided as if its URL matched. What would cost
    a read is assumed no obstacle: a daily cap not reached, a translation at hand. So the
    answer errs towards ``False``, which only means the widget keeps asking.
    """
    facts = person_facts(person, who)
    for survey in surveys:
        if not _shown_on_page_views(survey):
            continue
        situation = Situation(survey_active=True, has_translation=True, salt=survey.salt,
                              touchpoint=survey.current_version.config.get("touchpoint"))
        if decide(situation, rules[survey.id], facts, contacts, tickets, now).eligible:
            return False
    return True


def _candidates(cache: ConfigCache, session: Session, site_id: int,
                request: DisplayRequest) -> tuple[Any, ...]:
    """The surveys this page view may show: the one it names, or all of the site's."""
    if request.survey_key:
        wanted = cached_survey(cache, session, site_id, request.survey_key)
        return (wanted,) if wanted is not None else ()
    return cached_surveys(cache, session, site_id)


def _contacts_since(rules: dict[int, Rules], now: datetime) -> datetime:
    """How far back the person's contacts matter: the widest window of the candidate
    surveys (the rules of each look no further back than their own)."""
    return now - max(map(contact_window, rules.values()), default=timedelta(0))


def _pick_survey(session: Session, request: DisplayRequest, candidates: tuple[Any, ...],
                 due_invitation_id: int | None) -> tuple[Any, Invitation | None]:
    if due_invitation_id is not None:
        # A backend's in-app trigger for this person comes first.
        invitation = session.get(Invitation, due_invitation_id)
        if invitation is not None:
            return session.get(Survey, invitation.survey_id), invitation
    if request.survey_key:
        return candidates[0], None
    for survey in candidates:
        version = survey.current_version
        if survey.active and version is not None and show_on_matches(
                version.config, request.url, request.event):
            return survey, None
    return None, None


def check_display(session: Session, site: Any, request: DisplayRequest, now: datetime,
                  cache: ConfigCache, reader: Connection | None = None, *,
                  recheck_after: int = 0) -> DisplayAnswer:
    """Decide for one page view. A dry run reads only: no person, display or count written.
    ``site`` is a :class:`Site` or its snapshot; surveys are read through ``cache``; the
    person's history through ``reader`` when given, else the session (writes always are).
    ``recheck_after``: seconds a refused automatic page-view check (no survey or event
    named) may tell the widget to stay quiet when no survey could be shown on any page."""
    who = request.who
    automatic = recheck_after > 0 and not request.survey_key and not request.event
    candidates = _candidates(cache, session, site.id, request)
    if not candidates:
        return DisplayAnswer(False, "survey_inactive",
                             recheck_after=recheck_after if automatic else None)
    claim = PersonClaim(user_id=who.user_id, email=who.email, anonymous_id=who.anonymous_id,
                        locale=request.locale, properties=who.properties)
    # Each candidate's rules, merged once: they set how far back to read, then decide.
    rules = {survey.id: rules_for(site, survey) for survey in candidates
             if survey.current_version is not None}
    # One statement for someone seen before: person, tickets, due invitation, contacts.
    history = read_history(reader or session, site.id, claim, now=now,
                           since=_contacts_since(rules, now),
                           survey_id=candidates[0].id if request.survey_key else None)
    person = history.person if history is not None else None
    if person is None and claim.lookup() is not None and not request.dry_run:
        # Someone new is judged unsaved (no history to read), written only with a display.
        person = unsaved_person(site.id, claim, now)

    def quiet() -> int | None:
        if not automatic or (history is not None and history.due_invitation_id is not None):
            return None
        contacts, tickets = (history.contacts, history.tickets) if history else ((), TicketFacts())
        return recheck_after if nothing_to_show(candidates, rules, person, who, contacts,
                                                tickets, now) else None

    survey, invitation = _pick_survey(session, request, candidates,
                                      history.due_invitation_id if history else None)
    if survey is None or survey.current_version is None:
        return DisplayAnswer(False, "survey_inactive", recheck_after=quiet())
    locales = locale_candidates(request.locale, person.locale if person else None,
                                request.accept_language, site.default_locale)
    locale = choose_survey_locale(survey.current_version.config, locales)
    decision = evaluate(session, site, survey, person, who, now=now,
                        has_translation=locale is not None, rules=rules.get(survey.id),
                        history=(history.contacts, history.tickets) if history else None)
    if request.dry_run:
        display_id = None
    else:
        # Every write of the check, together, after the decision. A person never stored is
        # written only when shown a survey: a refusal leaves nothing behind but the count.
        if person is not None and (person.stored or decision.eligible):
            person = save_person_record(session, claim, person, now)
        count_decision(session, survey, decision.reason, now)
        display_id = (record_display(session, survey, person, now, invitation)
                      if decision.eligible and person is not None else None)
    if not decision.eligible:
        return DisplayAnswer(False, decision.reason, recheck_after=quiet())
    assert locale is not None
    # A version never changes, so its display in one locale is rendered once per process.
    payload = cache.payload(("display", survey.current_version.id, locale),
                            lambda: display_payload(survey, locale))
    return DisplayAnswer(True, "eligible", payload, display_id,
                         shown=None if request.dry_run else survey)
