"""People: upsert, unsubscribe, export and erasure that reaches every table."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from collector.core.extensions import db
from collector.models import AuditEntry, Contact, FollowupCase, Invitation, Person, Response, Ticket
from collector.people.lookup import erasure_mark
from tests.collector.conftest import Stage


def _person_with_history(stage: Stage) -> None:
    auth = stage.keys.auth()
    assert stage.client.post("/v1/people", json={
        "user_id": "u-1", "email": "Ana@Example.com", "name": "Ana", "locale": "pt-BR",
        "properties": {"plan": "pro"}, "value": 120.0}, headers=auth).status_code == 200
    assert stage.client.post("/v1/triggers", json={
        "survey": "nps", "user_id": "u-1", "channel": "email"}, headers=auth).status_code == 200
    assert stage.client.post("/v1/tickets", json={
        "ticket_id": "T-1", "user_id": "u-1", "status": "solved"}, headers=auth).status_code == 200
    assert stage.client.post("/v1/responses", json={
        "survey": "nps", "score": 2, "comment": "Ana here, call me on 555-0100",
        "answers": {"second": "pricing"}, "user_id": "u-1", "properties": {"city": "Porto"}},
        headers=auth).status_code == 201


def test_upsert_creates_then_updates_a_person(stage: Stage) -> None:
    auth = stage.keys.auth()
    created = stage.client.post("/v1/people", json={"user_id": "u-9", "name": "Bo"},
                                headers=auth)
    assert created.status_code == 200 and created.json["name"] == "Bo"
    updated = stage.client.post("/v1/people", json={"user_id": "u-9", "value": 5.0,
                                                    "properties": {"plan": "free"}}, headers=auth)
    assert updated.json["id"] == created.json["id"]
    assert (updated.json["name"], updated.json["value"]) == ("Bo", 5.0)
    assert updated.json["properties"] == {"plan": "free"}


def test_upsert_needs_an_identifier(stage: Stage) -> None:
    answer = stage.client.post("/v1/people", json={"name": "Nobody"}, headers=stage.keys.auth())
    assert answer.status_code == 422


def test_unsubscribe_stops_email_and_is_audited(stage: Stage) -> None:
    stage.client.post("/v1/people", json={"email": "x@example.com"}, headers=stage.keys.auth())
    answer = stage.client.post("/v1/people/unsubscribe", json={"email": "x@example.com"},
                               headers=stage.keys.auth())
    assert answer.status_code == 200 and answer.json["unsubscribed_at"] is not None
    trigger = stage.client.post("/v1/triggers", json={
        "survey": "nps", "email": "x@example.com", "channel": "email"},
        headers=stage.keys.auth()).json
    assert (trigger["eligible"], trigger["reason"]) == (False, "unsubscribed")
    audit = stage.get("/v1/audit", action="person.unsubscribed").json["data"]
    assert len(audit) == 1


def test_unknown_people_are_404(stage: Stage) -> None:
    assert stage.client.delete("/v1/people/nobody", headers=stage.keys.auth()).status_code == 404
    answer = stage.client.get("/v1/people/nobody/export", headers=stage.keys.auth())
    assert answer.status_code == 404 and answer.json["error"]["code"] == "person_not_found"


def test_export_holds_everything_stored_about_the_person(any_stage: Stage) -> None:
    _person_with_history(any_stage)
    export = any_stage.client.get("/v1/people/u-1/export", headers=any_stage.keys.auth()).json
    assert export["person"]["email"] == "ana@example.com"
    assert export["person"]["properties"] == {"plan": "pro"}
    assert [r["comment"] for r in export["responses"]] == ["Ana here, call me on 555-0100"]
    assert len(export["invitations"]) == 1 and export["tickets"][0]["external_id"] == "T-1"
    assert len(export["contacts"]) >= 1 and len(export["followups"]) == 1
    actions = [e["action"] for e in any_stage.get("/v1/audit").json["data"]]
    assert "person.exported" in actions


def test_erasure_reaches_every_table(any_stage: Stage) -> None:
    _person_with_history(any_stage)
    answer = any_stage.client.delete("/v1/people/u-1", headers=any_stage.keys.auth())
    assert answer.status_code == 200
    assert answer.json["erased"]["invitations_cancelled"] == 1
    assert answer.json["person"]["erased_at"] is not None
    assert answer.json["person"]["email"] is None and answer.json["person"]["name"] is None
    with any_stage.app.app_context():
        person = db.session.scalars(select(Person)).one()
        assert (person.name, person.locale, person.value) == (None,) * 3
        assert person.properties == {} and person.erased_at is not None
        # Her user id and email are kept only as erasure marks: keyed hashes, not the clear.
        assert person.external_id == erasure_mark(person.site_id, "external_id", "u-1")
        assert person.email == erasure_mark(person.site_id, "email", "ana@example.com")
        response = db.session.scalars(select(Response)).one()
        assert (response.comment, response.answers, response.properties) == (None, {}, {})
        assert response.score == 2  # the score stays in the aggregates, anonymous
        invitation = db.session.scalars(select(Invitation)).one()
        assert invitation.status == "cancelled" and invitation.token_hash is None
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
        case = db.session.scalars(select(FollowupCase)).one()
        assert "555-0100" not in str(case.timeline)
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "person.erased")).one()
        assert entry.entity_id == str(person.id)
    # The marks are what is stored, never what is shown, not even in her data export.
    exported = any_stage.client.get("/v1/people/u-1/export", headers=any_stage.keys.auth())
    assert exported.status_code == 200
    assert {exported.json["person"][c] for c in ("external_id", "email", "anonymous_id")} == {
        None}


def test_an_erased_person_is_never_contacted_again(stage: Stage) -> None:
    _person_with_history(stage)
    stage.client.delete("/v1/people/u-1", headers=stage.keys.auth())
    auth = stage.keys.auth()
    upserted = stage.client.post("/v1/people", json={"user_id": "u-1",
                                                     "email": "ana@example.com"}, headers=auth)
    assert upserted.json["erased_at"] is not None and upserted.json["email"] is None
    with stage.app.app_context():
        assert [p.erased_at is not None for p in db.session.scalars(select(Person))] == [True]
    trigger = stage.client.post("/v1/triggers", json={
        "survey": "nps", "user_id": "u-1", "email": "ana@example.com", "channel": "email"},
        headers=auth).json
    assert (trigger["eligible"], trigger["reason"]) == (False, "unsubscribed")
    assert trigger["invitation"] is None
    assert stage.client.delete("/v1/people/u-1", headers=auth).status_code == 200


def test_a_person_erased_by_email_alone_is_never_contacted_again(any_stage: Stage) -> None:
    """Known only by email: a later trigger or upsert naming that email (in any case) finds
    the erased person by the email's erasure mark, not a new person to survey."""
    auth = any_stage.keys.auth()
    created = any_stage.client.post("/v1/people", json={"email": "Bo@Example.com"},
                                    headers=auth).json
    erased = any_stage.client.delete(f"/delighted/v1/people/{created['id']}", headers=auth)
    assert erased.status_code in (200, 202), erased.get_data(as_text=True)
    for body in ({"email": "bo@example.com"}, {"email": "BO@example.COM"}):
        trigger = any_stage.client.post("/v1/triggers", json={
            "survey": "nps", "channel": "email", **body}, headers=auth).json
        assert (trigger["eligible"], trigger["reason"]) == (False, "unsubscribed")
        assert any_stage.client.post("/v1/people", json=body,
                                     headers=auth).json["erased_at"] is not None
    with any_stage.app.app_context():
        people = db.session.scalars(select(Person)).all()
        assert len(people) == 1 and people[0].email != "bo@example.com"


def test_nothing_new_is_stored_about_an_erased_person(any_stage: Stage) -> None:
    """A new answer naming her is refused (410, nothing stored); a ticket event for her is
    answered ``applied: false`` and not stored, so a backend needs no special case."""
    _person_with_history(any_stage)
    auth = any_stage.keys.auth()
    any_stage.client.delete("/v1/people/u-1", headers=auth)
    for who, field in (({"user_id": "u-1"}, "user_id"), ({"email": "ANA@example.com"}, "email")):
        answer = any_stage.client.post("/v1/responses", json={
            "survey": "nps", "score": 9, "comment": "it is me again", **who}, headers=auth)
        assert answer.status_code == 410
        assert (answer.json["error"]["code"], answer.json["error"]["field"]) == (
            "person_erased", field)
    ticket = any_stage.client.post("/v1/tickets", json={
        "ticket_id": "T-2", "user_id": "u-1", "status": "open"}, headers=auth)
    assert ticket.status_code == 200
    assert (ticket.json["applied"], ticket.json["status"]) == (False, "open")
    with any_stage.app.app_context():
        assert db.session.scalars(select(Response.comment)).all() == [None]
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
    # Someone else's answer is stored as ever.
    assert any_stage.client.post("/v1/responses", json={"survey": "nps", "score": 9,
                                                        "user_id": "u-2"},
                                 headers=auth).status_code == 201


def test_an_erased_persons_answers_no_longer_name_them(stage: Stage) -> None:
    """The kept user id only stops them being contacted: listings and exports omit it."""
    _person_with_history(stage)
    assert stage.get("/v1/responses").json["data"][0]["person"]["user_id"] == "u-1"
    stage.client.delete("/v1/people/u-1", headers=stage.keys.auth())
    listed = stage.get("/v1/responses").json["data"][0]
    assert listed["person"]["user_id"] is None and listed["score"] == 2
    exported = [json.loads(line) for line in stage.get(
        "/v1/exports/responses", format="ndjson").get_data(as_text=True).splitlines()]
    assert [(row["user_id"], row["score"]) for row in exported] == [(None, 2)]


def test_erasure_still_counts_the_score(stage: Stage) -> None:
    _person_with_history(stage)
    stage.client.delete("/v1/people/u-1", headers=stage.keys.auth())
    assert stage.get("/v1/metrics/nps").json["detractors"] == 1


def test_read_keys_cannot_touch_people(stage: Stage) -> None:
    _person_with_history(stage)
    read = stage.keys.auth("read")
    assert stage.client.post("/v1/people", json={"user_id": "u-2"},
                             headers=read).status_code == 403
    assert stage.client.post("/v1/people/unsubscribe", json={"user_id": "u-1"},
                             headers=read).status_code == 403
    assert stage.client.delete("/v1/people/u-1", headers=read).status_code == 403
    assert stage.client.get("/v1/people/u-1/export", headers=read).status_code == 403
