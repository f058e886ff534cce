"""The returning visitor's one-statement read gives what the separate look-ups would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from collector.core.extensions import db
from collector.eligibility.facts import MAX_CONTACTS_READ
from collector.eligibility.history import read_history
from collector.models import Contact, Invitation, Person, Survey, Ticket
from collector.people.lookup import PersonClaim
from tests.factories import make_site, make_survey

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=90)


def _person(site_id: int, **ids: str) -> Person:
    person = Person(site_id=site_id, properties={}, first_seen_at=NOW - timedelta(days=400),
                    updated_at=NOW - timedelta(days=400), **ids)
    db.session.add(person)
    db.session.flush()
    return person


def _contact(person: Person, survey_id: int, kind: str, at: datetime) -> None:
    db.session.add(Contact(site_id=person.site_id, person_id=person.id, survey_id=survey_id,
                           kind=kind, channel="in_app", at=at))


def _invitation(person: Person, survey: Survey, *, channel: str = "in_app",
                status: str = "pending", send_at: datetime,
                expires_at: datetime | None = None) -> Invitation:
    invitation = Invitation(
        site_id=person.site_id, survey_id=survey.id, survey_version_id=survey.current_version_id,
        person_id=person.id, channel=channel, status=status, send_at=send_at,
        expires_at=expires_at or NOW + timedelta(days=7), properties={},
        created_at=send_at)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def _ticket(person: Person, external_id: str, status: str,
            resolved_at: datetime | None = None) -> None:
    db.session.add(Ticket(site_id=person.site_id, person_id=person.id, external_id=external_id,
                          status=status, status_at=NOW, resolved_at=resolved_at,
                          created_at=NOW, updated_at=NOW))


def test_person_tickets_invitation_and_contacts_come_back_together(any_app: Flask) -> None:
    with any_app.app_context():
        site = make_site(db.session)
        first, second, third, fourth = (db.session.scalars(select(Survey).where(
            Survey.key == make_survey(db.session, site.site_id, key))).one()
            for key in ("nps", "csat", "ces", "onboarding"))
        ana = _person(site.site_id, external_id="ana")
        other = _person(site.site_id, external_id="bo")
        _contact(ana, first.id, "shown", NOW - timedelta(days=10))
        _contact(ana, second.id, "declined", NOW - timedelta(days=3))
        _contact(ana, first.id, "shown", NOW - timedelta(days=91))  # older than SINCE
        _contact(other, first.id, "shown", NOW - timedelta(days=1))
        _ticket(ana, "T-1", "open")
        _ticket(ana, "T-2", "pending")
        _ticket(ana, "T-3", "solved", resolved_at=NOW - timedelta(hours=5))
        _ticket(ana, "T-4", "closed", resolved_at=NOW - timedelta(hours=2))
        _ticket(other, "T-5", "open")
        # Only a pending in-app invitation whose time has come and has not expired is due;
        # the oldest first (one pending invitation per survey and person).
        _invitation(ana, first, status="sent", send_at=NOW - timedelta(hours=5))
        due_first = _invitation(ana, first, send_at=NOW - timedelta(hours=1),
                                expires_at=NOW + timedelta(hours=1))
        due_second = _invitation(ana, second, send_at=NOW - timedelta(hours=3))
        _invitation(ana, third, send_at=NOW + timedelta(hours=1))  # not yet
        _invitation(ana, fourth, channel="email", send_at=NOW - timedelta(days=2))
        db.session.commit()
        claim = PersonClaim(user_id="ana")

        history = read_history(db.session, site.site_id, claim, now=NOW, since=SINCE)
        assert history is not None
        assert (history.person.id, history.person.external_id) == (ana.id, "ana")
        assert (history.tickets.open_count, history.tickets.last_resolved_at) == (
            2, NOW - timedelta(hours=2))
        assert [(c.kind, c.at, c.survey_id) for c in history.contacts] == [
            ("declined", NOW - timedelta(days=3), second.id),
            ("shown", NOW - timedelta(days=10), first.id)]
        assert history.due_invitation_id == due_second.id
        for_first = read_history(db.session, site.site_id, claim, now=NOW, since=SINCE,
                                 survey_id=first.id)
        assert for_first is not None and for_first.due_invitation_id == due_first.id
        # Expired: not due any more.
        later = NOW + timedelta(hours=2)
        expired = read_history(db.session, site.site_id, claim, now=later, since=SINCE,
                               survey_id=first.id)
        assert expired is not None and expired.due_invitation_id is None


def test_someone_without_history_and_someone_unknown(any_app: Flask) -> None:
    with any_app.app_context():
        site = make_site(db.session)
        _person(site.site_id, anonymous_id="anon-1")
        db.session.commit()
        quiet = read_history(db.session, site.site_id, PersonClaim(anonymous_id="anon-1"),
                             now=NOW, since=SINCE)
        assert quiet is not None
        assert (quiet.contacts, quiet.tickets.open_count, quiet.tickets.last_resolved_at,
                quiet.due_invitation_id) == ((), 0, None, None)
        assert read_history(db.session, site.site_id, PersonClaim(user_id="nobody"),
                            now=NOW, since=SINCE) is None
        assert read_history(db.session, site.site_id, PersonClaim(), now=NOW,
                            since=SINCE) is None


def test_email_names_the_oldest_person_and_contacts_stop_at_the_newest_200(
        any_app: Flask) -> None:
    with any_app.app_context():
        site = make_site(db.session)
        survey = db.session.scalars(select(Survey).where(
            Survey.key == make_survey(db.session, site.site_id))).one()
        oldest = _person(site.site_id, email="same@example.com")
        # A second person with that address: one known by a user id (people known by email
        # alone are one per address, migration 0016).
        _person(site.site_id, email="same@example.com", external_id="u-2")
        for minutes in range(MAX_CONTACTS_READ + 50):
            _contact(oldest, survey.id, "shown", NOW - timedelta(minutes=minutes))
        db.session.commit()
        history = read_history(db.session, site.site_id,
                               PersonClaim(email="Same@Example.com"), now=NOW, since=SINCE)
        assert history is not None and history.person.id == oldest.id
        assert len(history.contacts) == MAX_CONTACTS_READ
        assert history.contacts[0].at == NOW
        assert history.contacts[-1].at == NOW - timedelta(minutes=MAX_CONTACTS_READ - 1)
