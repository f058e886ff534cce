"""The invitation expiry sweep, and weekly digest emails sent once per site, team and week."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.delivery.jobs import enqueue
from collector.eligibility.invitations import EXPIRE_JOB, create_invitation
from collector.followups import digest
from collector.models import Invitation, Job
from collector.people.lookup import upsert_person
from tests.factories import make_site, make_survey


def _invite(session, site_id, user_id, send_at, now, expiry_days):
    survey = find_survey(session, site_id, "nps")
    person = upsert_person(session, site_id, now, user_id=user_id)
    invitation, _ = create_invitation(session, survey, person, channel="in_app",
                                      send_at=send_at, now=now, expiry_days=expiry_days)
    return invitation.id


def test_the_sweep_expires_pending_invitations_past_their_expiry(clocked_app, make_worker,
                                                                 clock):
    with clocked_app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
        old = _invite(db.session, site.site_id, "ada", clock(), clock(), 1)
        fresh = _invite(db.session, site.site_id, "bob", clock(), clock(), 30)
        enqueue(db.session, EXPIRE_JOB, {}, now=clock(), dedupe_key=EXPIRE_JOB)
        db.session.commit()
    clock.advance(days=2)
    make_worker(clocked_app).run_until_idle()
    with clocked_app.app_context():
        statuses = dict(db.session.execute(select(Invitation.id, Invitation.status)).all())
        next_sweep = db.session.scalars(select(Job.run_at).where(
            Job.kind == EXPIRE_JOB, Job.status == "queued")).all()
    assert statuses == {old: "expired", fresh: "pending"}
    assert next_sweep == [clock() + timedelta(hours=1)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_digest_retry_does_not_email_a_team_twice(make_app, sqlite_url, clock,
                                                    make_worker):
    from aiosmtpd.controller import Controller

    received: list[str] = []
    refused: list[str] = []

    class Inbox:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address == "cy@example.com" and not refused:
                refused.append(address)  # the billing team's email fails the first time
                return "450 mailbox busy"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            received.extend(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Inbox(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        app = make_app(sqlite_url, CLOCK=clock, SMTP_URL=f"smtp://127.0.0.1:{controller.port}")
        with app.app_context():
            site = make_site(db.session, followup={
                "teams": {"billing": ["cy@example.com"]},
                "digest_recipients": {"*": ["lead@example.com"]}})
            make_survey(db.session, site.site_id)
            digest.schedule_digests(db.session, clock())
            db.session.commit()
        clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
        worker = make_worker(app)
        with app.app_context():  # as under `tenpoint worker`: the SMTP settings are the app's
            worker.run_until_idle()
            assert received == ["lead@example.com"] and refused == ["cy@example.com"]
            clock.advance(hours=1)  # past the retry's backoff
            worker.run_until_idle()
    finally:
        controller.stop()
    assert sorted(received) == ["cy@example.com", "lead@example.com"]
    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.kind == digest.KIND)).first()
        dispatched = [j.payload["data"]["team"] for j in db.session.scalars(
            select(Job).where(Job.kind == "event.dispatch"))
            if j.payload["type"] == "digest.weekly"]
    assert job.status == "done" and job.attempts == 2
    # The failed attempt's events rolled back with it: each team's digest event exists once.
    assert sorted(map(str, dispatched)) == ["None", "billing"]
