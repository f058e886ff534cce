"""On one PostgreSQL database: racing triggers make one invitation, and two collectors
(two apps, as two processes would be) agree on every decision."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from collector.core.extensions import db
from collector.eligibility.invitations import create_invitation
from collector.models import Invitation, Person, Survey
from tests.collector.eligibility.conftest import World, build_world
from tests.conftest import AppFactory, FakeClock


def test_two_racing_sessions_create_one_pending_invitation(pg_world: World) -> None:
    pg_world.survey("nps")
    engine = None
    with pg_world.app.app_context():
        pg_world.eligibility(survey="nps", user_id="u-1", dry_run=False)
        engine = db.engine
    now = pg_world.clock()
    first, second = Session(engine), Session(engine)
    results: dict[str, Any] = {}

    def load(session: Session) -> tuple[Survey, Person]:
        return session.scalars(select(Survey)).one(), session.scalars(select(Person)).one()

    try:
        survey, person = load(first)
        made, created = create_invitation(first, survey, person, channel="link",
                                          send_at=now, now=now)
        assert created  # flushed, not committed: the second session cannot see it

        def other() -> None:
            survey2, person2 = load(second)
            # Blocks on the unique index until the first transaction ends.
            results["answer"] = create_invitation(second, survey2, person2, channel="link",
                                                  send_at=now, now=now)
            second.commit()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive()  # waiting for the first transaction
        first.commit()
        thread.join(30)
        invitation, created_second = results["answer"]
        assert created_second is False and invitation.id == made.id
    finally:
        first.close()
        second.close()
    with pg_world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_concurrent_trigger_requests_create_one_invitation(pg_world: World) -> None:
    pg_world.survey("nps")
    barrier = threading.Barrier(4)
    answers: list[dict[str, Any]] = []

    def fire() -> None:
        client = pg_world.app.test_client()
        barrier.wait()
        response = client.post("/v1/triggers", json={"survey": "nps", "user_id": "u-1",
                                                     "channel": "in_app"},
                               headers=pg_world.site.auth())
        answers.append(response.get_json())

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 4
    assert {answer["invitation"]["id"] for answer in answers} == {
        answers[0]["invitation"]["id"]}
    with pg_world.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_two_collectors_on_one_database_agree_on_every_decision(
        make_app: AppFactory, postgres_url: str, clock: FakeClock) -> None:
    one = build_world(make_app, postgres_url, clock)
    two = World(make_app(postgres_url, CLOCK=clock), None, one.site, clock)  # type: ignore[arg-type]
    two.client = two.app.test_client()
    one.survey("nps", rules={"sample_rate": 0.5, "recontact_days": 30})
    with one.app.app_context():
        # A fixed salt fixes the sample (u-0 and u-1 in it, u-2 not, the rest mixed), so the
        # sets asserted below cannot depend on the random salt a new survey gets.
        db.session.execute(update(Survey).values(salt="pinned-salt-13"))
        db.session.commit()
    one.ticket(ticket_id="T-1", user_id="u-3", status="open")
    people = [f"u-{i}" for i in range(12)]
    # The first collector shows some surveys; both then judge everyone the same way.
    for person in people[:4]:
        one.eligibility(survey="nps", user_id=person)
    for days in (0, 20, 11):  # inside, still inside, then past the recontact period
        clock.advance(days=days)
        seen_by_one = [one.eligibility(survey="nps", user_id=p, dry_run=True)["reason"]
                       for p in people]
        seen_by_two = [two.eligibility(survey="nps", user_id=p, dry_run=True)["reason"]
                       for p in people]
        assert seen_by_one == seen_by_two
        if days == 0:
            assert {"recently_surveyed", "open_ticket"} <= set(seen_by_one)
    assert {"eligible", "not_sampled", "open_ticket"} <= set(seen_by_one)
    # Counts written by both collectors add up in one table (each reader flushes its own).
    one.eligibility(survey="nps", user_id="u-3")
    two.eligibility(survey="nps", user_id="u-3")
    two.counts()
    assert one.counts()[("nps", "open_ticket")] == 2
