"""Gathering what the eligibility rules need, and remembering what happened.

Every lookup here is by person (or by survey and today's date) through an index, so the
cost of a decision depends on one person's history, never on how many answers are stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from collector.eligibility.rules import (
    ContactFact,
    Decision,
    PersonFacts,
    Rules,
    Situation,
    TicketFacts,
    decide,
)
from collector.models import Contact, Invitation, Person, Response, Site, Survey, Ticket

# Enough for any sane max_surveys; the newest are what the rules look at.
MAX_CONTACTS_READ = 200
OPEN_STATUSES = ("open", "pending")
RESOLVED_STATUSES = ("solved", "closed")


@dataclass(frozen=True)
class Who:
    """The person a request names, as the request names them. ``signed_up_at``: when a
    backend says they signed up (authoritative); ``first_seen_hint``: when the widget first
    saw this browser, from its own storage (a hint, docs/eligibility.md, "Signup")."""

    user_id: str | None = None
    email: str | None = None
    anonymous_id: str | None = None
    properties: dict[str, Any] | None = None
    signed_up_at: datetime | None = None
    first_seen_hint: datetime | None = None


def site_defaults(site: Site) -> dict[str, Any]:
    """The site's eligibility defaults: ``Site.settings["eligibility"]`` (docs/eligibility.md)."""
    settings = site.settings or {}
    defaults = settings.get("eligibility")
    return dict(defaults) if isinstance(defaults, dict) else {}


def rules_for(site: Site, survey: Survey) -> Rules:
    version = survey.current_version
    survey_rules = version.config.get("rules", {}) if version is not None else {}
    return Rules.merge(site_defaults(site), survey_rules)


def person_key(person: Person | None, who: Who) -> str | None:
    """What sampling hashes: the strongest identifier known, stable across devices."""
    user_id = person.external_id if person is not None else None
    email = person.email if person is not None else None
    anonymous_id = person.anonymous_id if person is not None else None
    user_id, email = user_id or who.user_id, email or (who.email.lower() if who.email else None)
    anonymous_id = anonymous_id or who.anonymous_id
    if user_id:
        return f"user:{user_id}"
    if email:
        return f"email:{email}"
    if anonymous_id:
        return f"anon:{anonymous_id}"
    return None


def signup_moment(person: Any, who: Who) -> datetime | None:
    """Where ``too_soon_after_signup`` counts from: the signup a backend stated (in the
    request, else stored), else the earliest of the stored person's ``first_seen_at`` and
    the widget's first-seen hint. Someone never stored and with no hint counts from now
    (``unsaved_person``): refused, and nothing is written for them."""
    stated = who.signed_up_at or (person.signed_up_at if person is not None else None)
    if stated is not None:
        return stated
    seen = [moment for moment in (person.first_seen_at if person is not None else None,
                                  who.first_seen_hint) if moment is not None]
    return min(seen, default=None)


def person_facts(person: Person | None, who: Who) -> PersonFacts:
    stored = (person.properties or {}) if person is not None else {}
    identified = bool(who.user_id or who.email or (
        person is not None and (person.external_id or person.email)))
    return PersonFacts(
        key=person_key(person, who), identified=identified,
        properties={**stored, **(who.properties or {})},
        first_seen_at=signup_moment(person, who),
        unsubscribed_at=person.unsubscribed_at if person is not None else None,
        bounced_at=person.bounced_at if person is not None else None,
        erased_at=person.erased_at if person is not None else None,
    )


def contact_window(rules: Rules) -> timedelta:
    days = max(rules.recontact_days, rules.decline_days,
               rules.max_surveys_period_days if rules.max_surveys is not None else 0)
    return timedelta(days=days)


def contacts_of(person_id: Any, since: Any) -> Any:
    """The condition for a person's contacts after ``since`` (index ``person_id, at``)."""
    return and_(Contact.person_id == person_id, Contact.at > since)


def ticket_facts_of(person_id: Any) -> tuple[Any, Any]:
    """A person's open-ticket count and last resolution, as two scalar subqueries: read on
    their own (``ticket_facts``) or beside the person row (``collector.eligibility.history``)."""
    open_count = select(func.count()).where(
        Ticket.person_id == person_id,
        # Not ``in_``: an IN list is re-rendered into the SQL on every execution.
        or_(*(Ticket.status == status for status in OPEN_STATUSES))).scalar_subquery()
    last_resolved = select(func.max(Ticket.resolved_at)).where(
        Ticket.person_id == person_id).scalar_subquery()
    return open_count, last_resolved


# Built once: on SQLite, building a statement costs more than running it.
_RECENT_CONTACTS = (
    select(Contact.kind, Contact.at, Contact.survey_id)
    .where(contacts_of(bindparam("person_id"), bindparam("since")))
    .order_by(Contact.at.desc()).limit(MAX_CONTACTS_READ)
)
_TICKET_FACTS = select(*ticket_facts_of(bindparam("person_id")))


def recent_contacts(session: Session, person_id: int | None, rules: Rules,
                    now: datetime) -> list[ContactFact]:
    if person_id is None:
        return []
    rows = session.connection().execute(
        _RECENT_CONTACTS, {"person_id": person_id, "since": now - contact_window(rules)})
    return [ContactFact(kind, at, survey_id) for kind, at, survey_id in rows]


def ticket_facts(session: Session, person_id: int | None) -> TicketFacts:
    if person_id is None:
        return TicketFacts()
    open_count, last_resolved = session.connection().execute(
        _TICKET_FACTS, {"person_id": person_id}).one()
    return TicketFacts(int(open_count), last_resolved)


def responses_today(session: Session, survey_id: int, cap: int | None, now: datetime) -> int:
    """Answers to the survey since UTC midnight, counted no further than ``cap``."""
    if cap is None:
        return 0
    midnight = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    capped = (select(Response.id)
              .where(Response.survey_id == survey_id, Response.created_at >= midnight)
              .limit(cap).subquery())
    return int(session.scalar(select(func.count()).select_from(capped)) or 0)


def evaluate(session: Session, site: Any, survey: Any, person: Any, who: Who, *,
             now: datetime, has_translation: bool = True, channel: str = "in_app",
             touchpoint: str | None = None, delayed: bool = False, rules: Rules | None = None,
             history: tuple[Sequence[ContactFact], TicketFacts] | None = None) -> Decision:
    """Gather the facts about ``person`` and ``survey`` and apply the rules. ``site``,
    ``survey`` and ``person`` may be models or snapshots; a person not stored yet (an
    unsaved ``PersonRecord``, id 0) has no contacts or tickets to read. ``history``: the
    person's contacts (back to at least ``contact_window``) and ticket facts, when the
    caller has read them already (``collector.eligibility.history``); ``rules``: ``rules_for(site,
    survey)`` when the caller has merged them already."""
    rules = rules if rules is not None else rules_for(site, survey)
    person_id = person.id if person is not None and person.id else None
    if touchpoint is None and survey.current_version is not None:
        touchpoint = survey.current_version.config.get("touchpoint")
    situation = Situation(
        survey_active=survey.active, has_translation=has_translation, salt=survey.salt,
        channel=channel, touchpoint=touchpoint, delayed=delayed,
        responses_today=responses_today(session, survey.id, rules.daily_cap, now),
    )
    contacts, tickets = history if history is not None else (
        recent_contacts(session, person_id, rules, now), ticket_facts(session, person_id))
    return decide(situation, rules, person_facts(person, who), contacts, tickets, now)


_INSERT_CONTACT = cast(Table, Contact.__table__).insert()


def record_contact(session: Session, survey: Any, person: Any, kind: str, now: datetime,
                   *, channel: str, display_id: str | None = None,
                   invitation_id: int | None = None) -> None:
    """One Core insert, not an ORM object: this runs on every eligible page view."""
    session.connection().execute(_INSERT_CONTACT, {
        "site_id": survey.site_id, "person_id": person.id, "survey_id": survey.id,
        "kind": kind, "channel": channel, "display_id": display_id,
        "invitation_id": invitation_id, "at": now})


def record_display(session: Session, survey: Any, person: Any, now: datetime,
                   invitation: Invitation | None = None) -> str:
    """Remember that the widget was told to show the survey; returns the display id."""
    display_id = secrets.token_urlsafe(16)
    record_contact(session, survey, person, "shown", now, channel="in_app",
                   display_id=display_id, invitation_id=invitation.id if invitation else None)
    if invitation is not None and invitation.status == "pending":
        invitation.status = "sent"
        invitation.sent_at = now
    return display_id


def find_display(session: Session, site_id: int, display_id: str) -> Contact | None:
    return session.scalars(
        select(Contact).where(Contact.site_id == site_id, Contact.display_id == display_id,
                              Contact.kind == "shown")
    ).first()


def record_decline(session: Session, shown: Contact, now: datetime) -> Contact:
    """The person dismissed a display. Idempotent: a second decline returns the first."""
    earlier = session.scalars(
        select(Contact).where(Contact.site_id == shown.site_id,
                              Contact.display_id == shown.display_id,
                              Contact.kind == "declined")
    ).first()
    if earlier is not None:
        return earlier
    declined = Contact(site_id=shown.site_id, person_id=shown.person_id,
                       survey_id=shown.survey_id, kind="declined", channel=shown.channel,
                       display_id=shown.display_id, invitation_id=shown.invitation_id, at=now)
    session.add(declined)
    return declined
