"""``group_by=ticket_resolution`` read from the ticket roll-up gives exactly the figures of
one raw scan, on both databases, although tickets change after the answers: a ticket
resolved after the job ran moves its person's answers at once, and the job folds the change
in once it is TICKET_LAG old."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from collector.analytics.metrics import MetricsQuery, nps_report, scan_report
from collector.analytics.rollup_builder import TICKET_LAG, refresh_rollup
from collector.analytics.statistics import category_of
from collector.core.extensions import db
from collector.eligibility.tickets import record_ticket_event
from collector.models import (
    NpsDailyRollup,
    NpsRollupDirtyDay,
    NpsRollupState,
    Person,
    Response,
    Ticket,
)
from collector.models.rollup import NpsTicketRollup
from collector.people.lookup import find_person
from tests.collector.analytics.test_metrics_rollup import BASE, _survey_ids, assert_same
from tests.collector.conftest import START, Stage

# The job runs well after the answers and the first tickets.
JOB = BASE + timedelta(days=30)
PEOPLE = 4

answers = st.lists(st.tuples(
    st.integers(0, 10),                                    # score
    st.integers(0, 20 * 24 * 60 - 1),                     # minute within 20 days
    st.sampled_from([None, *range(PEOPLE)]),              # who answered (None: anonymous)
    st.sampled_from([None, 40.0]),                        # value
    st.sampled_from(["accepted", "released", "quarantined", "rejected"]),
), min_size=0, max_size=30)
# (person, hours from hearing of it to its resolution; None: still open)
tickets = st.lists(st.tuples(st.integers(0, PEOPLE - 1),
                             st.sampled_from([None, 0.5, 3.0, 5.0, 30.0, 100.0])),
                   min_size=0, max_size=6)
moments = st.one_of(st.none(), st.integers(-2 * 24 * 60, 22 * 24 * 60).map(
    lambda minutes: BASE + timedelta(minutes=minutes)))


def _state(session: Session) -> NpsRollupState:
    session.flush()
    state = session.get(NpsRollupState, 1)
    assert state is not None
    return state


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=answers, later=answers, old=tickets, new=tickets, since=moments, until=moments,
       weighted=st.booleans())
def test_the_ticket_rollup_gives_the_raw_figures(any_stage: Stage, first: list[Any],
                                                 later: list[Any], old: list[Any],
                                                 new: list[Any], since: datetime | None,
                                                 until: datetime | None,
                                                 weighted: bool) -> None:
    with any_stage.app.app_context():
        session = db.session
        site_id = any_stage.keys.site_id
        survey_id, version_id = _survey_ids(session, site_id)
        for table in (Ticket, Response, Person, NpsDailyRollup, NpsTicketRollup,
                      NpsRollupDirtyDay, NpsRollupState):
            session.execute(delete(table))
        people = [session.scalar(insert(Person).returning(Person.id).values(
            site_id=site_id, external_id=f"p{number}", properties={},
            first_seen_at=BASE, updated_at=BASE)) for number in range(PEOPLE)]
        count = 0

        def store(rows: list[Any]) -> None:
            if rows:
                session.execute(insert(Response), [{
                    "site_id": site_id, "survey_id": survey_id,
                    "survey_version_id": version_id, "score": score,
                    "person_id": None if who is None else people[who],
                    "category": category_of(score), "answers": {}, "properties": {},
                    "channel": "in_app", "value": value, "verdict": verdict,
                    "verdict_reasons": [], "created_at": BASE + timedelta(minutes=minute),
                    "updated_at": BASE,
                } for score, minute, who, value, verdict in rows])

        def file(rows: list[Any], stamped: datetime) -> None:
            nonlocal count
            for who, hours in rows:
                count += 1
                heard = stamped - timedelta(hours=count)
                session.add(Ticket(
                    site_id=site_id, person_id=people[who], external_id=f"T{count}",
                    status="open" if hours is None else "solved", status_at=heard,
                    resolved_at=None if hours is None else heard + timedelta(hours=hours),
                    created_at=heard, updated_at=stamped))
            session.flush()

        spec = MetricsQuery(site_id, survey_id, since, until, "ticket_resolution", weighted)
        store(first)
        file(old, BASE + timedelta(days=25))
        assert_same(nps_report(session, spec), scan_report(session, spec))
        refresh_rollup(session, JOB, settled=True)
        assert _state(session).ticket_watermark == JOB
        assert_same(nps_report(session, spec), scan_report(session, spec))
        # After the run: newer answers, and tickets filed or re-resolved (a later resolution
        # time) for some people, stamped after the ticket watermark.
        store(later)
        stamped = JOB + TICKET_LAG
        file(new, stamped)
        session.execute(update(Ticket).where(Ticket.person_id == people[0])
                        .values(resolved_at=JOB, updated_at=stamped))
        assert_same(nps_report(session, spec), scan_report(session, spec))
        refresh_rollup(session, stamped + TICKET_LAG / 2)  # the changes are too recent
        assert _state(session).ticket_watermark == stamped - TICKET_LAG / 2
        assert_same(nps_report(session, spec), scan_report(session, spec))
        refresh_rollup(session, stamped + TICKET_LAG)
        assert _state(session).ticket_watermark == stamped
        assert_same(nps_report(session, spec), scan_report(session, spec))
        refresh_rollup(session, stamped + 2 * TICKET_LAG)
        assert_same(nps_report(session, spec), scan_report(session, spec))
        session.rollback()


def _buckets(stage: Stage) -> dict[str, int]:
    body = stage.get("/v1/metrics/nps", group_by="ticket_resolution",
                     since=(START - timedelta(days=10)).isoformat(),
                     until=START.isoformat()).json
    return {group["key"]: group["n"] for group in body["groups"]}


def _resolve(stage: Stage, user_id: str, ticket: str, opened: datetime, hours: float,
             now: datetime) -> None:
    """A ticket first heard of at ``opened`` and solved ``hours`` later, recorded at
    ``now`` through the same function as POST /v1/tickets."""
    with stage.app.app_context():
        person = find_person(db.session, stage.keys.site_id, user_id=user_id)
        assert person is not None
        record_ticket_event(db.session, stage.keys.site_id, person, ticket, "open", opened,
                            opened)
        record_ticket_event(db.session, stage.keys.site_id, person, ticket, "solved",
                            opened + timedelta(hours=hours), now)
        db.session.commit()


def _refresh(stage: Stage, now: datetime, *, settled: bool = False) -> None:
    with stage.app.app_context():
        refresh_rollup(db.session, now, settled=settled)
        db.session.commit()


def test_a_ticket_resolved_after_the_job_ran_moves_the_answer_at_once(
        any_stage: Stage) -> None:
    any_stage.add(10, at=START - timedelta(days=3), user_id="ann")
    any_stage.add(2, at=START - timedelta(days=2), user_id="bob")
    _resolve(any_stage, "bob", "T-1", START - timedelta(days=5), 30.0, START - timedelta(days=4))
    _refresh(any_stage, START, settled=True)
    assert _buckets(any_stage) == {"1d_to_3d": 1, "no_ticket": 1}
    later = START + timedelta(minutes=1)
    _resolve(any_stage, "ann", "T-2", START - timedelta(hours=2), 0.5, later)
    assert _buckets(any_stage) == {"1d_to_3d": 1, "under_1h": 1}
    _refresh(any_stage, later + timedelta(seconds=10))  # too recent to fold in
    assert _buckets(any_stage) == {"1d_to_3d": 1, "under_1h": 1}
    _refresh(any_stage, later + TICKET_LAG + timedelta(seconds=1))
    with any_stage.app.app_context():
        rows = db.session.execute(select(NpsTicketRollup.bucket, NpsTicketRollup.promoters)
                                  .order_by(NpsTicketRollup.bucket)).all()
        assert [tuple(row) for row in rows] == [("1d_to_3d", 0), ("under_1h", 1)]
        # Proof the report reads these rows: a row altered by hand shows in the answer.
        db.session.execute(update(NpsTicketRollup).where(NpsTicketRollup.bucket == "under_1h")
                           .values(promoters=NpsTicketRollup.promoters + 5))
        db.session.commit()
    assert _buckets(any_stage) == {"1d_to_3d": 1, "under_1h": 6}


def test_an_erased_person_loses_their_tickets_at_once(any_stage: Stage) -> None:
    any_stage.add(10, at=START - timedelta(days=3), user_id="ann")
    _resolve(any_stage, "ann", "T-1", START - timedelta(days=5), 2.0, START - timedelta(days=5))
    _refresh(any_stage, START, settled=True)
    assert _buckets(any_stage) == {"1h_to_4h": 1}
    erased = any_stage.client.delete("/v1/people/ann", headers=any_stage.keys.auth("admin"))
    assert erased.status_code == 200
    assert _buckets(any_stage) == {"no_ticket": 1}
    _refresh(any_stage, START + timedelta(seconds=10))
    assert _buckets(any_stage) == {"no_ticket": 1}


def test_the_first_run_after_the_upgrade_fills_every_day(any_stage: Stage) -> None:
    """A roll-up made before the ticket table existed (no ticket watermark): reports scan
    raw answers until the next run fills the ticket rows for every day."""
    any_stage.add(10, at=START - timedelta(days=40), user_id="ann")
    any_stage.add(0, at=START - timedelta(days=1), user_id="bob")
    _resolve(any_stage, "ann", "T-1", START - timedelta(days=50), 80.0, START - timedelta(days=45))
    _refresh(any_stage, START, settled=True)
    with any_stage.app.app_context():
        db.session.execute(delete(NpsTicketRollup))
        db.session.execute(update(NpsRollupState).values(ticket_watermark=None))
        db.session.commit()
    body = any_stage.get("/v1/metrics/nps", group_by="ticket_resolution").json
    assert {g["key"]: g["n"] for g in body["groups"]} == {"no_ticket": 1, "over_3d": 1}
    _refresh(any_stage, START + timedelta(seconds=10))
    with any_stage.app.app_context():
        filled = db.session.scalar(select(func.count()).select_from(NpsTicketRollup))
        assert filled == 2
    assert any_stage.get("/v1/metrics/nps", group_by="ticket_resolution").json == body
