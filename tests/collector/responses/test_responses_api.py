"""Submitting and listing responses through /v1/responses."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collector.core.extensions import db
from tests.factories import ORIGIN, SiteKeys, make_site, make_survey


def submit(client: FlaskClient, site: SiteKeys, **body: object) -> object:
    payload = {"survey": "nps", "score": 9, **body}
    return client.post("/v1/responses", json=payload, headers=site.auth("secret"))


def test_a_browser_posts_with_the_publishable_key_as_text_plain(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    response = client.post(
        f"/v1/responses?key={site.publishable}", data=json.dumps({"survey": survey, "score": 3}),
        headers={"Content-Type": "text/plain", "Origin": ORIGIN},
    )
    assert response.status_code == 201
    assert response.json["category"] == "detractor"
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_publishable_key_is_refused_from_an_origin_the_site_does_not_allow(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    for origin in ("https://evil.example", "null"):
        response = client.post(f"/v1/responses?key={site.publishable}",
                               json={"survey": survey, "score": 3}, headers={"Origin": origin})
        assert response.status_code == 403
        assert response.json["error"]["code"] == "origin_not_allowed"


def test_a_publishable_key_cannot_read_responses(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    response = client.get("/v1/responses", headers=site.auth("publishable"))
    assert response.status_code == 403
    assert response.json["error"] == {
        "code": "wrong_key_role", "field": "Authorization",
        "message": response.json["error"]["message"],
    }


def test_a_key_of_another_site_cannot_answer_this_sites_survey(
    app: Flask, client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    with app.app_context():
        other = make_site(db.session, "other")
    response = client.post("/v1/responses", json={"survey": survey, "score": 9},
                           headers=other.auth("secret"))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "survey_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"survey": "nps", "score": 11}, "score"),
        ({"survey": "nps", "score": "9"}, "score"),
        ({"survey": "nps"}, "score"),
        ({"survey": "nps", "score": 5, "surprise": 1}, "surprise"),
        ({"survey": "nps", "score": 5, "comment": "x" * 5001}, "comment"),
        ({"survey": "nps", "score": 5, "properties": {"a": {"nested": 1}}}, "properties"),
    ],
)
def test_invalid_input_is_a_422_naming_the_field(
    client: FlaskClient, site: SiteKeys, survey: str, body: dict[str, object], field: str
) -> None:
    response = client.post("/v1/responses", json=body, headers=site.auth())
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert error["field"] == field
    assert field in error["fields"]


def test_a_repeated_idempotency_key_replays_the_first_result_and_stores_once(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    headers = {**site.auth(), "Idempotency-Key": "answer-1"}
    first = client.post("/v1/responses", json={"survey": survey, "score": 10}, headers=headers)
    again = client.post("/v1/responses", json={"survey": survey, "score": 10}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = client.get("/v1/responses", headers=site.auth("read")).json
    assert len(listed["data"]) == 1


def test_the_same_idempotency_key_with_another_body_is_a_conflict(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    headers = {**site.auth(), "Idempotency-Key": "answer-2"}
    client.post("/v1/responses", json={"survey": survey, "score": 10}, headers=headers)
    other = client.post("/v1/responses", json={"survey": survey, "score": 0}, headers=headers)
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"


def test_listing_pages_through_every_response_exactly_once(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    for score in range(11):
        assert submit(client, site, score=score).status_code == 201
    seen: list[int] = []
    cursor = None
    while True:
        query = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/responses", query_string=query, headers=site.auth("read")).json
        seen.extend(item["score"] for item in page["data"])
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            break
    assert sorted(seen) == list(range(11))
    assert seen == list(range(10, -1, -1))  # newest first


def test_a_forged_cursor_is_a_clear_error(client: FlaskClient, site: SiteKeys) -> None:
    response = client.get("/v1/responses?cursor=!!nope", headers=site.auth("read"))
    assert response.status_code == 422
    assert response.json["error"]["field"] == "cursor"


def test_each_response_points_at_the_survey_version_it_answered(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    submit(client, site, score=9)
    changed = client.patch(f"/v1/surveys/{survey}", headers=site.auth(),
                           json={"name": "Renamed"})
    assert changed.json["version"] == 2
    submit(client, site, score=4)
    versions = [r["survey_version"] for r in
                client.get("/v1/responses", headers=site.auth("read")).json["data"]]
    assert versions == [2, 1]


def test_a_response_names_its_person(client: FlaskClient, site: SiteKeys, survey: str) -> None:
    created = submit(client, site, user_id="u-42", email="Dana@Example.com").json
    assert created["person"]["user_id"] == "u-42"
    assert created["person"]["email"] == "dana@example.com"


def test_the_storage_round_trip_works_on_every_database(any_app: Flask) -> None:
    with any_app.app_context():
        keys = make_site(db.session)
        make_survey(db.session, keys.site_id)
    client = any_app.test_client()
    for score in (10, 9, 8, 3):
        assert client.post("/v1/responses", json={"survey": "nps", "score": score,
                                                  "properties": {"plan": "pro"}},
                           headers=keys.auth()).status_code == 201
    page = client.get("/v1/responses", headers=keys.auth("read")).json
    assert [r["score"] for r in page["data"]] == [3, 8, 9, 10]
    assert page["data"][0]["properties"] == {"plan": "pro"}
    nps = client.get("/v1/metrics/nps?survey=nps", headers=keys.auth("read")).json
    top_level = {key: nps[key] for key in ("nps", "promoters", "passives", "detractors", "total")}
    assert top_level == {"nps": 25.0, "promoters": 2, "passives": 1, "detractors": 1, "total": 4}
