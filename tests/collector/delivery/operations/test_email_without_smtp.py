"""With TENPOINT_SMTP_URL unset: what happens to an email invitation at its send time."""

from __future__ import annotations

from datetime import timedelta

from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.eligibility.invitations import create_invitation, schedule
from collector.models import Invitation
from collector.people.lookup import upsert_person
from tests.factories import make_site, make_survey


def _invite(app, clock, user_id, *, unsubscribed=False):
    with app.app_context():
        site = make_site(db.session, slug=f"s-{user_id}")
        make_survey(db.session, site.site_id)
        survey = find_survey(db.session, site.site_id, "nps")
        person = upsert_person(db.session, site.site_id, clock(), user_id=user_id,
                               email=f"{user_id}@example.com")
        if unsubscribed:
            person.unsubscribed_at = clock()
        invitation, _ = create_invitation(db.session, survey, person, channel="email",
                                          send_at=clock() + timedelta(hours=1), now=clock())
        schedule(db.session, invitation, clock())
        db.session.commit()
        return site, invitation.id


def _invitation(app, invitation_id):
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        return invitation.status, invitation.sent_at, invitation.cancel_reason


def test_the_invitation_is_marked_sent_and_its_email_is_yours_to_fetch(make_app, sqlite_url,
                                                                      clock, make_worker):
    app = make_app(sqlite_url, CLOCK=clock)
    site, invitation_id = _invite(app, clock, "ada")
    clock.advance(hours=1)
    with app.app_context():
        make_worker(app).run_until_idle()
    assert _invitation(app, invitation_id) == ("sent", clock(), None)
    got = app.test_client().get(f"/v1/invitations/{invitation_id}/email",
                                headers=site.auth("secret"))
    assert got.status_code == 200 and got.json["to"] == "ada@example.com"


def test_an_unsubscribed_person_is_not_handed_an_email_to_send(make_app, sqlite_url, clock,
                                                               make_worker):
    app = make_app(sqlite_url, CLOCK=clock)
    site, invitation_id = _invite(app, clock, "bob", unsubscribed=True)
    clock.advance(hours=1)
    with app.app_context():
        make_worker(app).run_until_idle()
    # The send-time rules cancel it (collector/eligibility/rules.py), so the API refuses the email.
    assert _invitation(app, invitation_id) == ("cancelled", None, "unsubscribed")
    got = app.test_client().get(f"/v1/invitations/{invitation_id}/email",
                                headers=site.auth("secret"))
    assert got.status_code == 409
