"""The gaps issue 25 found with the official clients: retrieve, permalinks, person dates,
erased people, key roles, unknown paths."""

from __future__ import annotations

import base64
import os

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from collector.core.extensions import db
from collector.models import Invitation
from tests.collector.delighted.conftest import delighted


def _answer(client, email: str, score: int):
    person = delighted.Person.create(client=client, email=email, send=False)
    return person, delighted.SurveyResponse.create(client=client, person=person.id,
                                                   score=score, comment="ok")


def test_a_survey_response_is_retrieved_by_id_with_its_person(delighted_client):
    _, created = _answer(delighted_client, "re@example.com", 8)
    got = delighted.SurveyResponse.retrieve(created.id, client=delighted_client,
                                            expand=["person"])
    assert (got.id, got.score, got.comment) == (created.id, 8, "ok")
    assert got.person.email == "re@example.com"


def test_the_permalink_opens_the_response_in_the_api(delighted_client):
    _, created = _answer(delighted_client, "pl@example.com", 9)
    base = delighted_client.api_base_url.removesuffix("/delighted/v1/")
    delighted_client.app.config["PUBLIC_URL"] = base
    [listed] = delighted.SurveyResponse.all(client=delighted_client)
    assert listed.permalink == f"{base}/v1/responses/{created.id}"
    opened = requests.get(listed.permalink, timeout=10,
                          headers=delighted_client.site.auth("read"))
    assert (opened.status_code, opened.json()["score"]) == (200, 9)


def test_people_carry_when_they_were_sent_scheduled_and_answered(delighted_client):
    _, created = _answer(delighted_client, "da@example.com", 10)
    scheduled = delighted.Person.create(client=delighted_client, email="eb@example.com",
                                        delay=3600)
    assert scheduled.next_survey_scheduled_at == scheduled.survey_scheduled_at
    answered, waiting = delighted.Person.all(client=delighted_client)
    assert (answered.last_responded_at, answered.next_survey_scheduled_at,
            answered.last_sent_at) == (created.created_at, None, None)
    assert (waiting.last_responded_at, waiting.next_survey_scheduled_at,
            waiting.last_sent_at) == (None, scheduled.survey_scheduled_at, None)
    with delighted_client.app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        invitation.status, invitation.sent_at = "sent", invitation.send_at
        db.session.commit()
    _, waiting = delighted.Person.all(client=delighted_client)
    assert (waiting.next_survey_scheduled_at, waiting.last_sent_at) == (
        None, scheduled.survey_scheduled_at)


def test_an_erased_person_is_not_in_the_unsubscribes(delighted_client):
    delighted.Unsubscribe.create(client=delighted_client, person_email="gone@example.com")
    delighted.Unsubscribe.create(client=delighted_client, person_email="kept@example.com")
    delighted.Person.delete(client=delighted_client, email="gone@example.com")
    assert [u["email"] for u in delighted.Unsubscribe.all(client=delighted_client)] == [
        "kept@example.com"]


def test_a_read_key_is_refused_with_401_like_delighted(delighted_client):
    reader = delighted.Client(api_key=delighted_client.site.read,
                              api_base_url=delighted_client.api_base_url)
    with pytest.raises(delighted.errors.AuthenticationError) as raised:
        delighted.Metrics.retrieve(client=reader)
    assert raised.value.response.status_code == 401


def test_a_missing_key_is_asked_for_as_basic_auth(delighted_client):
    answered = requests.get(delighted_client.api_base_url + "metrics.json", timeout=10)
    assert answered.status_code == 401
    assert "Basic" in answered.json()["message"] and "Bearer" not in answered.json()["message"]


@pytest.mark.parametrize(("method", "path"), [("get", "surveys/1.json"), ("post", "nothing"),
                                              ("get", "people/1/whatever/else.json")])
def test_an_unknown_path_answers_in_delighteds_shape(delighted_client, method, path):
    token = base64.b64encode(f"{delighted_client.site.secret}:".encode()).decode()
    answered = requests.request(method, delighted_client.api_base_url + path, timeout=10,
                                headers={"Authorization": f"Basic {token}"})
    assert answered.status_code == 404
    assert answered.json() == {"status": 404, "message": "Resource not found."}


def test_serve_port_is_the_port_links_are_built_from(app: Flask, runner, monkeypatch) -> None:
    from collector import create_app

    monkeypatch.delenv("TENPOINT_PORT", raising=False)
    monkeypatch.delenv("TENPOINT_PUBLIC_URL", raising=False)
    monkeypatch.setattr(os, "execv", lambda *args: None)
    runner.invoke(args=["serve", "--port", "5263"])
    assert os.environ["TENPOINT_PORT"] == "5263"
    served = create_app({"DATABASE_URL": app.config["DATABASE_URL"]})
    assert served.config["PUBLIC_URL"] == "http://127.0.0.1:5263"
