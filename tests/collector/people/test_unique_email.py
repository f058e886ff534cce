"""One person per email: concurrent requests naming one email create one person (PostgreSQL
and SQLite), and revision 0017 merges the duplicates created before it into the oldest."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from collector.core.database import alembic_config
from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.models import Invitation, Person, Response
from collector.responses.recording import NewResponse, record_response
from tests.factories import ORIGIN, make_site, make_survey

AT = datetime(2026, 1, 5, tzinfo=UTC)


def test_concurrent_answers_naming_one_email_make_one_person(
    pg_app: Flask, live_server
) -> None:
    with pg_app.app_context():
        keys = make_site(db.session)
        make_survey(db.session, keys.site_id)
    server = live_server(pg_app)
    import urllib.request

    start = threading.Barrier(8)
    statuses: list[int] = []

    def answer(index: int) -> None:
        request = urllib.request.Request(
            f"{server.url}/v1/responses", method="POST",
            data=f'{{"survey": "nps", "score": {index}, "email": "Ada@Example.com"}}'.encode(),
            headers={"Authorization": f"Bearer {keys.secret}",
                     "Content-Type": "application/json", "Origin": ORIGIN})
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as reply:  # loopback
            statuses.append(reply.status)

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 8
    with pg_app.app_context():
        people = db.session.scalars(select(Person.id).where(
            Person.email == "ada@example.com")).all()
        assert len(people) == 1
        owners = set(db.session.scalars(select(Response.person_id)))
        assert owners == {people[0]}


def test_two_accounts_may_share_an_address(app: Flask) -> None:
    client = app.test_client()
    with app.app_context():
        keys = make_site(db.session)
    for user_id in ("parent", "child"):
        reply = client.post("/v1/people", json={"user_id": user_id, "email": "home@example.com"},
                            headers=keys.auth("secret"))
        assert reply.status_code in (200, 201)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person).where(
            Person.email == "home@example.com")) == 2


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_the_upgrade_merges_duplicates_into_the_oldest(
    request: pytest.FixtureRequest, make_app, database: str
) -> None:
    url = request.getfixturevalue(f"{database}_url")
    application = make_app(url)
    with application.app_context():
        keys = make_site(db.session)
        make_survey(db.session, keys.site_id)
    config = alembic_config(url)
    command.downgrade(config, "0016")
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            survey = find_survey(session, keys.site_id, "nps")
            assert survey is not None
            ids = []
            for index, (props, unsubscribed) in enumerate(
                    (({"plan": "free"}, None), ({"plan": "pro", "seats": 3}, AT), ({}, None))):
                person = Person(site_id=keys.site_id, email="dup@example.com", properties=props,
                                first_seen_at=AT, updated_at=AT, unsubscribed_at=unsubscribed)
                session.add(person)
                session.flush()
                ids.append(person.id)
                record_response(session, survey, person, NewResponse(score=index + 8), AT)
                session.add(Invitation(site_id=keys.site_id, survey_id=survey.id,
                                       survey_version_id=survey.current_version_id,
                                       person_id=person.id, channel="email", status="pending",
                                       send_at=AT, properties={}, created_at=AT))
            session.add(Person(site_id=keys.site_id, email="other@example.com", properties={},
                               first_seen_at=AT, updated_at=AT))
            session.commit()
        command.upgrade(config, "head")
        with Session(engine) as session:
            people = session.scalars(select(Person).where(
                Person.email == "dup@example.com")).all()
            assert [p.id for p in people] == [ids[0]]
            kept = people[0]
            assert kept.properties == {"plan": "free", "seats": 3}
            assert kept.unsubscribed_at is not None  # an unsubscribe is never lost
            assert set(session.scalars(select(Response.person_id))) == {ids[0]}
            statuses = sorted(session.scalars(select(Invitation.status)))
            assert statuses == ["cancelled", "cancelled", "pending"]
            assert session.scalar(select(func.count()).select_from(Person)) == 2
        command.upgrade(config, "head")  # a second run changes nothing
    finally:
        engine.dispose()
