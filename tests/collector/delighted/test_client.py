"""The official ``delighted`` package, only its base URL changed, works against Tenpoint."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from collector.core.extensions import db
from collector.models import Invitation, Person
from tests.collector.delighted.conftest import delighted


def test_the_client_creates_a_person_and_schedules_a_survey(delighted_client):
    person = delighted.Person.create(client=delighted_client, email="ana@example.com",
                                     name="Ana", delay=3600,
                                     properties={"locale": "fr", "plan": "pro"})
    assert person.email == "ana@example.com"
    assert person["properties"] == {"plan": "pro"}
    assert person.survey_scheduled_at >= int(time.time()) + 3500
    with delighted_client.app.app_context():
        stored = db.session.scalars(select(Person)).one()
        invitation = db.session.scalars(select(Invitation)).one()
    assert (stored.locale, stored.name, stored.properties) == ("fr", "Ana", {"plan": "pro"})
    assert (invitation.channel, invitation.status) == ("email", "pending")
    assert int(invitation.send_at.timestamp()) == person.survey_scheduled_at


def test_send_false_only_stores_the_person(delighted_client):
    person = delighted.Person.create(client=delighted_client, email="bo@example.com",
                                     send=False)
    assert person.survey_scheduled_at is None
    with delighted_client.app.app_context():
        assert db.session.scalars(select(Invitation)).all() == []


def test_the_client_lists_responses_with_people_and_reads_metrics(delighted_client):
    people = [delighted.Person.create(client=delighted_client, email=f"p{n}@example.com",
                                      send=False) for n in range(4)]
    for person, score in zip(people, (10, 9, 7, 2), strict=True):
        delighted.SurveyResponse.create(client=delighted_client, person=person.id,
                                        score=score, comment=f"gave {score}")
    listed = delighted.SurveyResponse.all(client=delighted_client, expand=["person"],
                                          per_page=3)
    assert [r.score for r in listed] == [10, 9, 7]
    assert listed[0].person.email == "p0@example.com"
    second = delighted.SurveyResponse.all(client=delighted_client, per_page=3, page=2)
    assert [(r.score, r.person) for r in second] == [(2, people[3].id)]
    metrics = delighted.Metrics.retrieve(client=delighted_client)
    assert metrics["nps"] == 25
    assert (metrics["promoter_count"], metrics["passive_count"],
            metrics["detractor_count"], metrics["response_count"]) == (2, 1, 1, 4)
    assert metrics["promoter_percent"] == 50.0


def test_unsubscribes_bounces_and_pending_requests(delighted_client):
    delighted.Person.create(client=delighted_client, email="cy@example.com", delay=600)
    assert delighted.SurveyRequest.delete_pending(
        client=delighted_client, person_email="cy@example.com") == {"ok": True}
    with delighted_client.app.app_context():
        assert db.session.scalars(select(Invitation.status)).one() == "cancelled"
    assert delighted.Unsubscribe.create(client=delighted_client,
                                        person_email="cy@example.com") == {"ok": True}
    [unsubscribed] = delighted.Unsubscribe.all(client=delighted_client)
    assert unsubscribed["email"] == "cy@example.com"
    assert unsubscribed["unsubscribed_at"] > 0
    assert delighted.Bounce.all(client=delighted_client) == []


def test_deleting_a_person_by_email_erases_them(delighted_client):
    delighted.Person.create(client=delighted_client, email="di@example.com", send=False)
    assert delighted.Person.delete(client=delighted_client, email="di@example.com") == {
        "ok": True}
    with delighted_client.app.app_context():
        assert db.session.scalars(select(Person)).one().erased_at is not None
    with pytest.raises(delighted.errors.GeneralAPIError) as raised:
        delighted.Person.delete(client=delighted_client, email="nobody@example.com")
    assert raised.value.response.status_code == 404


def test_a_wrong_key_is_an_authentication_error(delighted_client):
    wrong = delighted.Client(api_key="sk_not-a-real-key",
                             api_base_url=delighted_client.api_base_url)
    with pytest.raises(delighted.errors.AuthenticationError):
        delighted.Metrics.retrieve(client=wrong)


def test_validation_errors_use_delighteds_shape(delighted_client):
    with pytest.raises(delighted.errors.ResourceValidationError) as raised:
        delighted.SurveyResponse.create(client=delighted_client, person="999", score=5)
    body = json.loads(raised.value.response.body)
    assert body == {"status": 422, "message": "Record invalid",
                    "errors": [{"field": "person", "code": "not_found"}]}


def test_people_list_follows_the_link_header(delighted_client):
    for n in range(3):
        delighted.Person.create(client=delighted_client, email=f"l{n}@example.com", send=False)
    emails = [p.email for p in delighted.Person.list(client=delighted_client, per_page=2)
              .auto_paging_iter()]
    assert emails == ["l0@example.com", "l1@example.com", "l2@example.com"]


def test_rate_limits_follow_delighteds_convention(make_app, sqlite_url, live_server):
    from tests.factories import make_site

    app = make_app(sqlite_url, RATE_LIMIT_ENABLED=True, RATE_LIMIT_ADMIN="key=2/minute")
    with app.app_context():
        site = make_site(db.session)
    server = live_server(app)
    client = delighted.Client(api_key=site.secret, api_base_url=f"{server.url}/delighted/v1/")
    delighted.Bounce.all(client=client)
    delighted.Bounce.all(client=client)
    with pytest.raises(delighted.errors.TooManyRequestsError) as raised:
        delighted.Bounce.all(client=client)
    assert 0 < raised.value.retry_after <= 60
    assert json.loads(raised.value.response.body)["status"] == 429


def test_responses_are_filtered_by_time_and_trend(delighted_client):
    person = delighted.Person.create(client=delighted_client, email="t@example.com",
                                     send=False)
    delighted.SurveyResponse.create(client=delighted_client, person=person.id, score=9)
    later = int(time.time()) + 3600
    assert delighted.SurveyResponse.all(client=delighted_client, since=later) == []
    assert len(delighted.SurveyResponse.all(client=delighted_client, until=later)) == 1
    assert len(delighted.SurveyResponse.all(client=delighted_client, trend="nps")) == 1
    with pytest.raises(delighted.errors.GeneralAPIError) as raised:
        delighted.SurveyResponse.all(client=delighted_client, trend="missing")
    assert raised.value.response.status_code == 404
