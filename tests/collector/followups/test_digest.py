"""The weekly digest: NPS with interval and change, cases, verbatims; event and email."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from collector.core.extensions import db
from collector.delivery.worker import Worker
from collector.followups.digest import build_digest, next_send_time, render_text, schedule_digests
from collector.models import Job, Site


def test_digests_are_sent_mondays_at_eight():
    assert next_send_time(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == datetime(
        2026, 3, 9, 8, 0, tzinfo=UTC)
    assert next_send_time(datetime(2026, 3, 1, 23, 0, tzinfo=UTC)) == datetime(
        2026, 3, 2, 8, 0, tzinfo=UTC)


def test_the_digest_sums_up_a_teams_week(case_app, case_site, answer, clock):
    for n, score in enumerate((10, 10, 2, 9)):  # last week: NPS +50
        answer(score, f"old{n}", touchpoint="checkout")
    clock.advance(days=7)
    answer(1, "a", touchpoint="checkout", comment="Checkout broke twice")
    answer(2, "b", touchpoint="checkout", comment="Card refused")
    answer(10, "c", touchpoint="checkout", comment="Fast and easy")
    answer(9, "d", comment="Other team's promoter")
    clock.advance(days=3)
    with case_app.app_context():
        site = db.session.get(Site, case_site.site_id)
        digest = build_digest(db.session, site, "billing", clock())
        everyone = build_digest(db.session, site, None, clock())
    assert digest["this_week"]["responses"] == 3
    assert round(digest["this_week"]["nps"]) == -33
    low, high = digest["this_week"]["interval"]
    assert low < -33 < high
    assert digest["change"]["points"] < 0
    assert digest["change"]["significant"] is False  # three answers prove little
    assert digest["open_cases"] == 3  # one from last week, two this week
    assert digest["overdue_cases"] == 3  # the 24 h SLA has passed for all
    assert [v["comment"] for v in digest["promoter_verbatims"]] == ["Fast and easy"]
    assert {v["comment"] for v in digest["detractor_verbatims"]} == {
        "Checkout broke twice", "Card refused"}
    assert everyone["this_week"]["responses"] == 4
    text = render_text(digest)
    assert "billing" in text and "Card refused" in text and "within noise" in text


def test_the_worker_schedules_and_sends_the_digest_as_an_event(case_app, case_site, answer,
                                                               clock):
    answer(9, "x", comment="Great")
    with case_app.app_context():
        assert schedule_digests(db.session, clock()) == 1
        assert schedule_digests(db.session, clock()) == 0  # one pending per site
        db.session.commit()
        worker = Worker(db.sessionmaker, clock, random.Random(2), "w",
                        periodic=schedule_digests, periodic_every=0)
        clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
        worker.run_until_idle()
        dispatched = [j.payload for j in db.session.scalars(
            select(Job).where(Job.kind == "event.dispatch"))
            if j.payload["type"] == "digest.weekly"]
        worker.tick()
        queued = db.session.scalars(select(Job.run_at).where(
            Job.kind == "digest.weekly", Job.status == "queued")).all()
    assert sorted(str(p["data"]["team"]) for p in dispatched) == ["None", "billing", "support"]
    assert json.dumps(dispatched)  # the payload is plain JSON
    assert queued == [datetime(2026, 3, 16, 8, 0, tzinfo=UTC)]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send_weekly_digests(make_app: Any, sqlite_url: str, clock: Any,
                        followup: dict[str, Any]) -> list[tuple[list[str], bytes]]:
    """Run a week's digests for a site with these ``followup`` settings through a real SMTP
    server on loopback; return each message's recipients and raw bytes."""
    from aiosmtpd.controller import Controller

    from tests.factories import make_site, make_survey

    received: list[tuple[list[str], bytes]] = []

    class Inbox:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append((list(envelope.rcpt_tos), envelope.original_content))
            return "250 OK"

    controller = Controller(Inbox(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        app = make_app(sqlite_url, CLOCK=clock,
                       SMTP_URL=f"smtp://127.0.0.1:{controller.port}",
                       MAIL_FROM="Tenpoint <nps@example.com>")
        with app.app_context():
            site = make_site(db.session, followup=followup)
            make_survey(db.session, site.site_id)
            schedule_digests(db.session, clock())
            db.session.commit()
            clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
            Worker(db.sessionmaker, clock, random.Random(2), "w").run_until_idle()
    finally:
        controller.stop()
    return received


def test_the_digest_is_emailed_to_the_team(make_app, sqlite_url, clock):
    received = [(to, raw.decode()) for to, raw in send_weekly_digests(
        make_app, sqlite_url, clock, {"teams": {"billing": ["cy@example.com", "not-an-email"]},
                                      "digest_recipients": {"*": ["lead@example.com"]}})]
    assert sorted(to for to, _ in received) == [["cy@example.com"], ["lead@example.com"]]
    assert all("Weekly NPS digest" in body for _, body in received)


def _events_of_a_weekly_shift(case_app, case_site, answer, clock) -> list[str]:
    """NPS +100 one week, -100 the next; the digest's events."""
    for n in range(30):
        answer(10, f"before{n}")
    clock.advance(days=7)
    for n in range(30):
        answer(1, f"after{n}")
    with case_app.app_context():
        clock.advance(days=1)
        from collector.followups.digest import send_digests
        send_digests(db.session, {"site_id": case_site.site_id}, clock())
        return [j.payload["type"] for j in db.session.scalars(
            select(Job).where(Job.kind == "event.dispatch"))
            if j.created_at == clock()]


def test_a_significant_weekly_shift_raises_an_alert(case_app, case_site, answer, clock):
    types = _events_of_a_weekly_shift(case_app, case_site, answer, clock)
    assert types.count("alert.nps_shift") == 1  # the whole site; no team saw these answers
    assert types.count("digest.weekly") == 3


def test_a_site_with_alerts_turned_off_gets_its_digest_but_no_alert(case_app, case_site,
                                                                   answer, clock):
    with case_app.app_context():
        site = db.session.get(Site, case_site.site_id)
        assert site is not None
        site.settings = {**(site.settings or {}), "alerts_enabled": False}
        db.session.commit()
    types = _events_of_a_weekly_shift(case_app, case_site, answer, clock)
    assert types.count("alert.nps_shift") == 0
    assert types.count("digest.weekly") == 3
