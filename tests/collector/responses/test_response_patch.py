"""Score first, then the comment: PATCH /v1/responses/{id} with the POST's edit_token."""

from __future__ import annotations

from sqlalchemy import select

from collector.core.extensions import db
from collector.models import Job

ORIGIN = "https://app.example.com"


def _post_score(client, site, survey, score=9):
    answer = client.post(f"/v1/responses?key={site.publishable}",
                         json={"survey": survey, "score": score, "anonymous_id": "anon-12345"},
                         headers={"Origin": ORIGIN})
    assert answer.status_code == 201
    return answer.json


def test_the_browser_adds_its_comment_with_the_edit_token(app, client, site, survey) -> None:
    created = _post_score(client, site, survey)
    assert created["edit_token"]
    patched = client.patch(f"/v1/responses/{created['id']}?key={site.publishable}",
                           json={"comment": "Great", "answers": {"second": "Docs"},
                                 "edit_token": created["edit_token"]},
                           headers={"Origin": ORIGIN})
    assert patched.status_code == 200
    assert patched.json["comment"] == "Great"
    assert patched.json["answers"] == {"second": "Docs"}
    assert "edit_token" not in patched.json
    listed = client.get("/v1/responses", headers=site.auth("read")).json["data"]
    assert [(r["score"], r["comment"]) for r in listed] == [(9, "Great")]
    assert "edit_token" not in listed[0]


def test_the_update_is_told_to_webhooks(app, client, site, survey) -> None:
    created = _post_score(client, site, survey)
    client.patch(f"/v1/responses/{created['id']}?key={site.publishable}",
                 json={"comment": "Slow", "edit_token": created["edit_token"]})
    with app.app_context():
        payloads = [job.payload for job in db.session.scalars(select(Job))]
    updated = [p for p in payloads if p.get("type") == "response.updated"]
    assert len(updated) == 1
    assert updated[0]["data"]["comment"] == "Slow"


def test_a_publishable_key_without_a_valid_token_is_refused(client, site, survey) -> None:
    created = _post_score(client, site, survey)
    other = _post_score(client, site, survey, score=3)
    for token in (None, "123.abc", other["edit_token"]):
        body = {"comment": "x"} | ({"edit_token": token} if token else {})
        refused = client.patch(f"/v1/responses/{created['id']}?key={site.publishable}", json=body)
        assert refused.status_code == 403
        assert refused.json["error"]["code"] == "invalid_edit_token"


def test_the_edit_token_expires_after_an_hour(make_app, sqlite_url, clock) -> None:
    from tests.factories import make_site, make_survey

    app = make_app(sqlite_url, CLOCK=clock)
    with app.app_context():
        site = make_site(db.session)
        survey = make_survey(db.session, site.site_id)
    client = app.test_client()
    created = _post_score(client, site, survey)
    clock.advance(minutes=61)
    late = client.patch(f"/v1/responses/{created['id']}?key={site.publishable}",
                        json={"comment": "late", "edit_token": created["edit_token"]})
    assert late.status_code == 403


def test_a_secret_key_needs_no_token_but_stays_on_its_site(app, client, site, survey) -> None:
    created = _post_score(client, site, survey)
    ok = client.patch(f"/v1/responses/{created['id']}", json={"comment": "By support"},
                      headers=site.auth("secret"))
    assert ok.status_code == 200
    missing = client.patch("/v1/responses/999999", json={"comment": "x"},
                           headers=site.auth("secret"))
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "response_not_found"


def test_the_preflight_allows_patch_from_an_allowed_origin(client, site, survey) -> None:
    created = _post_score(client, site, survey)
    preflight = client.options(f"/v1/responses/{created['id']}?key={site.publishable}",
                               headers={"Origin": ORIGIN,
                                        "Access-Control-Request-Method": "PATCH"})
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
