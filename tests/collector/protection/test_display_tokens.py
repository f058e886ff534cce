"""Display tokens: a browser's answer counts only after a display the collector made, to the
same visitor, once, and no sooner than a person could read the question. Every other answer
is stored and quarantined with its reason, never dropped (docs/protection.md)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from collector.protection.display_tokens import (
    MISMATCH,
    MISSING,
    VALID,
    issue_token,
    read_token,
    visitor_of,
)
from tests.collector.protection.conftest import (
    BROWSER_UA,
    WIDGET_SIGNALS,
    World,
    answer_as_widget,
    browser_headers,
    shown,
    world,
)

MOMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRINT = "ab" * 32


def _token(**overrides: Any) -> str:
    args: dict[str, Any] = {"secret": "s", "site_id": 1, "survey_id": 7, "visitor": "a:x",
                            "fingerprint": PRINT, "now": MOMENT, "nonce": b"n" * 12}
    args.update(overrides)
    return issue_token(**args)


def _read(token: str | None, **overrides: Any) -> Any:
    args: dict[str, Any] = {"survey_id": 7, "visitor": "a:x", "fingerprint": PRINT,
                            "now": MOMENT + timedelta(seconds=5)}
    args.update(overrides)
    return read_token("s", 1, token, **args)


# --- the token itself (pure) --------------------------------------------------------------

def test_a_token_proves_its_survey_visitor_and_issue_time() -> None:
    proof = _read(_token())
    assert (proof.status, proof.issued_at, proof.age_ms(MOMENT + timedelta(seconds=5))) == \
        (VALID, MOMENT, 5000)
    assert proof.token_id and not proof.fingerprint_changed


@pytest.mark.parametrize(("token", "reading", "status"), [
    (None, {}, MISSING),
    ("", {}, MISSING),
    ("not.a.token", {}, MISSING),
    (_token(secret="another collector"), {}, MISSING),
    (_token(site_id=2), {}, MISSING),  # the site is inside the signature
    (_token(), {"now": MOMENT + timedelta(days=8, seconds=1)}, MISSING),  # expired
    (_token(), {"survey_id": 8}, MISMATCH),
    (_token(), {"visitor": "a:y"}, MISMATCH),
])
def test_what_a_token_does_not_prove(token: str | None, reading: dict[str, Any],
                                     status: str) -> None:
    assert _read(token, **reading).status == status


def test_a_tampered_issue_time_breaks_the_signature() -> None:
    parts = _token().split(".")
    parts[1] = format(int(parts[1], 16) - 60_000, "x")
    assert _read(".".join(parts)).status == MISSING


def test_a_changed_fingerprint_is_noted_not_refused() -> None:
    proof = _read(_token(), fingerprint="cd" * 32)
    assert (proof.status, proof.fingerprint_changed) == (VALID, True)


def test_visitors_are_named_the_same_way_at_display_and_answer() -> None:
    assert visitor_of(user_id="u", email="e@x.org", anonymous_id="a" * 8) == "u:u"
    assert visitor_of(email=" E@X.org ", anonymous_id="a" * 8) == "e:e@x.org"
    assert visitor_of(anonymous_id="a" * 8) == "a:" + "a" * 8
    assert visitor_of(invitation_id=3, user_id="u") == "i:3"


# --- answers through the API --------------------------------------------------------------

def _script(w: World, body: dict[str, Any], **headers: str) -> Any:
    return answer_as_widget(w, body, displayed=False, **headers)


def test_the_real_widget_path_is_accepted(protected) -> None:
    w = world(protected())
    answered = answer_as_widget(w)
    assert answered.status_code == 201
    assert answered.stored == {"verdict": "accepted", "verdict_reasons": [],
                               "verdict_signals": []}


def test_a_script_answer_without_a_display_is_stored_and_quarantined(protected) -> None:
    w = world(protected())
    answered = _script(w, {})
    assert answered.status_code == 201
    assert answered.stored["verdict_reasons"] == ["no_display"]
    held = w.app.test_client().get("/v1/responses?verdict=quarantined",
                                   headers=w.keys.auth("read")).json["data"]
    assert [r["id"] for r in held] == [answered.json["id"]]


def test_a_made_up_token_is_no_display(protected) -> None:
    w = world(protected())
    forged = "7.18e0a1b2c3d.AAAAAAAAAAAA.abababab.bm9uY2Vub25jZW5v.AAAAAAAAAAAAAAAAAAAAAA"
    assert answer_as_widget(w, token=forged).stored["verdict_reasons"] == ["no_display"]


def test_a_token_of_another_survey_is_a_mismatch(protected) -> None:
    from tests.factories import make_survey

    w = world(protected())
    with w.app.app_context():
        from collector.core.extensions import db
        make_survey(db.session, w.keys.site_id, "other")
    visitor = uuid.uuid4().hex
    other = shown(w, "other", anonymous_id=visitor)["display_token"]
    answered = answer_as_widget(w, {"anonymous_id": visitor}, token=other)
    assert answered.stored["verdict_reasons"] == ["display_mismatch"]


def test_a_token_of_another_visitor_is_a_mismatch(protected) -> None:
    w = world(protected())
    theirs = shown(w, anonymous_id=uuid.uuid4().hex)["display_token"]
    answered = answer_as_widget(w, {"anonymous_id": uuid.uuid4().hex}, token=theirs)
    assert answered.stored["verdict_reasons"] == ["display_mismatch"]


def test_a_token_answers_once(protected) -> None:
    w = world(protected())
    visitor = uuid.uuid4().hex
    token = shown(w, anonymous_id=visitor)["display_token"]
    first = answer_as_widget(w, {"anonymous_id": visitor}, token=token)
    # The same display replayed from another address: a new request, not a retry.
    again = answer_as_widget(w, {"anonymous_id": visitor, "score": 10}, token=token,
                             **{"User-Agent": BROWSER_UA + " other"})
    assert first.stored["verdict"] == "accepted"
    assert again.status_code == 201 and again.json["id"] != first.json["id"]
    assert again.stored["verdict_reasons"] == ["display_reused"]


def test_a_retry_with_its_idempotency_key_is_a_replay_not_a_reuse(protected, clock) -> None:
    w = world(protected())
    visitor = uuid.uuid4().hex
    token = shown(w, anonymous_id=visitor)["display_token"]
    clock.advance(seconds=5)
    body = json.dumps({"survey": w.survey, "score": 9, "anonymous_id": visitor,
                       "signals": WIDGET_SIGNALS, "display_token": token})
    url = f"/v1/responses?key={w.keys.publishable}&idempotency_key={uuid.uuid4()}"
    client = w.app.test_client()
    first = client.post(url, data=body, headers=browser_headers())
    clock.advance(days=3)
    retry = client.post(url, data=body, headers=browser_headers())
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json["id"] == first.json["id"]


def test_the_outbox_retry_a_week_later_is_accepted(protected, clock) -> None:
    """The widget keeps an unsent answer for a week: its token is still good then."""
    w = world(protected())
    visitor = uuid.uuid4().hex
    token = shown(w, anonymous_id=visitor)["display_token"]
    clock.advance(seconds=30)  # answered, but the network was gone
    clock.advance(days=7)      # the visitor comes back on the last day the outbox keeps it
    answered = answer_as_widget(w, {"anonymous_id": visitor}, token=token, reading_seconds=0)
    assert answered.stored == {"verdict": "accepted", "verdict_reasons": [],
                               "verdict_signals": []}


def test_an_expired_token_is_no_display(protected, clock) -> None:
    w = world(protected())
    visitor = uuid.uuid4().hex
    token = shown(w, anonymous_id=visitor)["display_token"]
    clock.advance(days=8, seconds=1)
    answered = answer_as_widget(w, {"anonymous_id": visitor}, token=token, reading_seconds=0)
    assert answered.stored["verdict_reasons"] == ["no_display"]


def test_too_fast_is_timed_by_the_server_not_the_client(protected) -> None:
    w = world(protected())
    # The client claims it took five seconds; the display was 300 ms ago.
    quick = answer_as_widget(w, reading_seconds=0.3)
    assert quick.stored["verdict_reasons"] == ["too_fast"]
    # The client says 300 ms; the server saw six seconds: noted, not held.
    slow = answer_as_widget(w, {"signals": {**WIDGET_SIGNALS, "elapsed_ms": 300}},
                            reading_seconds=6, **{"User-Agent": BROWSER_UA + " b"})
    assert slow.stored == {"verdict": "accepted", "verdict_reasons": [],
                           "verdict_signals": ["client_too_fast"]}


def test_leaving_the_signals_out_is_a_reason_not_a_free_pass(protected) -> None:
    w = world(protected())
    answered = answer_as_widget(w, {"signals": None})
    assert answered.status_code == 422  # null is not a signals block
    body = {"survey": w.survey, "score": 9}
    token = shown(w, anonymous_id="a" * 16)["display_token"]
    w.app.config["CLOCK"].advance(seconds=5)
    created = w.app.test_client().post(
        f"/v1/responses?key={w.keys.publishable}", headers=browser_headers(),
        data=json.dumps({**body, "anonymous_id": "a" * 16, "display_token": token}))
    from tests.collector.protection.conftest import stored_verdict
    assert stored_verdict(w.app, created.json["id"])["verdict_reasons"] == ["no_signals"]


def test_a_phone_that_changed_networks_is_accepted_with_a_note(protected) -> None:
    w = world(protected())
    visitor = uuid.uuid4().hex
    token = shown(w, anonymous_id=visitor)["display_token"]
    answered = answer_as_widget(w, {"anonymous_id": visitor}, token=token,
                                **{"Accept-Language": "de-DE"})
    assert answered.stored == {"verdict": "accepted", "verdict_reasons": [],
                               "verdict_signals": ["fingerprint_changed"]}


def test_a_backend_with_a_secret_key_needs_no_display(protected) -> None:
    w = world(protected())
    created = w.app.test_client().post("/v1/responses", json={"survey": w.survey, "score": 8},
                                       headers=w.keys.auth())
    assert (created.json["verdict"], created.json["verdict_reasons"]) == ("accepted", [])


def test_a_quarantined_no_display_answer_is_releasable(protected) -> None:
    w = world(protected())
    held = _script(w, {"score": 3})
    released = w.app.test_client().post(f"/v1/responses/{held.json['id']}/release",
                                        headers=w.keys.auth("admin"))
    assert (released.status_code, released.json["verdict"]) == (200, "released")
    assert released.json["verdict_reasons"] == ["no_display"]


# --- telling callers less ------------------------------------------------------------------

def test_a_browser_is_not_told_the_verdict(protected) -> None:
    w = world(protected())
    held = _script(w, {"score": 2}, **{"User-Agent": "curl/8.4.0"})
    assert held.stored["verdict"] == "quarantined"
    assert {"id", "edit_token", "score", "category"} <= held.json.keys()
    assert not {"verdict", "verdict_reasons", "verdict_signals"} & held.json.keys()
    # Its follow-up comment's answer tells no more.
    patched = w.app.test_client().patch(
        f"/v1/responses/{held.json['id']}?key={w.keys.publishable}", headers=browser_headers(),
        data=json.dumps({"comment": "hm", "edit_token": held.json["edit_token"]}))
    assert patched.status_code == 200
    assert not {"verdict", "verdict_reasons", "verdict_signals"} & patched.json.keys()


@pytest.mark.parametrize("role", ["read", "admin"])
def test_server_keys_still_see_the_verdict(protected, role: str) -> None:
    w = world(protected())
    held = _script(w, {"score": 2})
    listed = w.app.test_client().get("/v1/responses", headers=w.keys.auth(role)).json["data"]
    assert [(r["id"], r["verdict"], r["verdict_reasons"]) for r in listed] == \
        [(held.json["id"], "quarantined", ["no_display"])]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_single_use_holds_across_collector_processes(request, make_app, clock,
                                                    database: str) -> None:
    """Two collectors on one database (two gunicorn workers, two machines): the used token
    is known to both, because only the database holds it."""
    url = request.getfixturevalue(f"{database}_url")
    settings = {"BOT_VERDICTS": True, "RATE_LIMIT_ENABLED": False, "CLOCK": clock}
    one = world(make_app(url, **settings))
    other = World(make_app(url, **settings), one.keys, one.survey)
    visitor = uuid.uuid4().hex
    token = shown(one, anonymous_id=visitor)["display_token"]
    first = answer_as_widget(one, {"anonymous_id": visitor}, token=token)
    second = answer_as_widget(other, {"anonymous_id": visitor}, token=token,
                              **{"User-Agent": BROWSER_UA + " other"})
    assert (first.stored["verdict_reasons"], second.stored["verdict_reasons"]) == \
        ([], ["display_reused"])
