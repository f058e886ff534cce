"""Bot verdicts: suspicious answers are stored, marked, left out of metrics, and releasable."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from collector.core.extensions import db
from collector.models import AuditEntry, Response
from collector.protection.verdicts import (
    BROWSER_SOURCE,
    SERVER_SOURCE,
    History,
    Signals,
    Submission,
    assess_submission,
    fingerprint,
)
from tests.collector.protection.conftest import (
    BROWSER_UA,
    Answered,
    World,
    answer_as_widget,
    world,
)
from tests.collector.protection.corpus import BOT_AGENTS, BROWSER_AGENTS


def _post(w: World, body: dict[str, Any] | None = None, **headers: str) -> Answered:
    """An answer from the real widget after its display, unless the test changes that."""
    return answer_as_widget(w, body, **headers)


def _rate(agents: tuple[str, ...]) -> float:
    verdicts = [assess_submission(Submission(BROWSER_SOURCE, ua)) for ua in agents]
    return sum(v.quarantined for v in verdicts) / len(verdicts)


def test_real_bot_agents_are_quarantined_and_real_browsers_accepted() -> None:
    assert len(BOT_AGENTS) >= 30 and len(BROWSER_AGENTS) >= 30
    missed = [ua for ua in BOT_AGENTS
              if not assess_submission(Submission(BROWSER_SOURCE, ua)).quarantined]
    wrongly_held = [ua for ua in BROWSER_AGENTS
                    if assess_submission(Submission(BROWSER_SOURCE, ua)).quarantined]
    assert missed == []
    assert wrongly_held == []
    assert (_rate(BOT_AGENTS), 1 - _rate(BROWSER_AGENTS)) == (1.0, 1.0)


@pytest.mark.parametrize("agent", [BOT_AGENTS[0], "curl/8.4.0", BOT_AGENTS[28]])
def test_a_bot_answer_is_stored_as_quarantined_with_its_reason(protected, agent: str) -> None:
    w = world(protected())
    created = _post(w, **{"User-Agent": agent})
    assert created.status_code == 201
    assert created.stored["verdict"] == "quarantined"
    assert created.stored["verdict_reasons"][0].startswith("user_agent_")


def test_a_browser_answer_is_accepted(protected) -> None:
    w = world(protected())
    created = _post(w, {"signals": {"webdriver": False, "elapsed_ms": 5400, "honeypot": ""}})
    assert (created.stored["verdict"], created.stored["verdict_reasons"]) == ("accepted", [])


@pytest.mark.parametrize(("signals", "reason"), [
    ({"webdriver": True}, "webdriver"),
    ({"honeypot": "http://spam.example"}, "honeypot"),
])
def test_widget_signals_quarantine(protected, signals: dict[str, Any], reason: str) -> None:
    w = world(protected())
    created = _post(w, {"signals": signals})
    assert created.stored["verdict"] == "quarantined"
    assert created.stored["verdict_reasons"] == [reason]


def test_a_second_answer_from_one_fingerprint_is_a_repeat(protected) -> None:
    w = world(protected())
    assert _post(w).stored["verdict"] == "accepted"
    again = _post(w, {"score": 10})
    assert again.stored["verdict_reasons"] == ["repeat_answer"]
    # Another browser on the same network is another fingerprint.
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    assert _post(w, **{"User-Agent": firefox}).stored["verdict"] == "accepted"


def test_verified_people_sharing_one_fingerprint_are_not_repeats(protected, clock) -> None:
    from collector.access.identity import sign

    w = world(protected(CLOCK=clock))
    expiry = clock().replace(year=2027)
    for user in ("ana", "ben"):
        token = sign(user, w.keys.identity_secret, expiry)
        created = _post(w, {"user_id": user, "identity_token": token})
        assert created.stored["verdict"] == "accepted", created.stored


def test_a_burst_across_surveys_is_quarantined(protected) -> None:
    from tests.factories import make_survey

    w = world(protected())
    with w.app.app_context():
        for key in ("a", "b", "c", "d"):
            make_survey(db.session, w.keys.site_id, key)
    verdicts = [_post(w, {"survey": key}).stored["verdict_reasons"] for key in "abcd"]
    assert verdicts == [[], [], [], ["burst"]]


def test_a_backend_with_a_secret_key_is_not_judged_by_its_user_agent(protected) -> None:
    w = world(protected())
    client = w.app.test_client()
    for _ in range(2):
        created = client.post("/v1/responses", json={"survey": "nps", "score": 8},
                              headers={**w.keys.auth(), "User-Agent": "python-requests/2.31"})
        assert created.json["verdict"] == "accepted"
    # Signals it forwards still count: they are the browser's own.
    flagged = client.post("/v1/responses", json={"survey": "nps", "score": 8,
                                                 "signals": {"webdriver": True}},
                          headers=w.keys.auth())
    assert flagged.json["verdict_reasons"] == ["webdriver"]


def test_quarantined_answers_are_listed_apart_and_left_out_of_metrics(protected) -> None:
    w = world(protected())
    _post(w, {"score": 10})
    _post(w, {"score": 0}, **{"User-Agent": "Go-http-client/1.1"})
    client = w.app.test_client()
    read = w.keys.auth("read")
    held = client.get("/v1/responses?verdict=quarantined", headers=read).json["data"]
    assert [(r["score"], r["verdict_reasons"]) for r in held] == [(0, ["user_agent_http_library"])]
    nps = client.get("/v1/metrics/nps", headers=read).json
    assert (nps["promoters"], nps["detractors"], nps["total"]) == (1, 0, 1)


def test_an_admin_releases_a_quarantined_answer_and_the_audit_trail_says_who(protected) -> None:
    w = world(protected())
    held = _post(w, {"score": 0}, **{"User-Agent": "curl/8.4.0"}).json
    accepted = _post(w, {"score": 10}, **{"User-Agent": BROWSER_UA + " x"}).json
    client = w.app.test_client()
    path = f"/v1/responses/{held['id']}/release"
    assert client.post(path, headers=w.keys.auth("secret")).status_code == 403
    released = client.post(path, headers=w.keys.auth("admin"))
    assert released.status_code == 200
    assert released.json["verdict"] == "released"
    assert released.json["verdict_reasons"] == ["user_agent_http_library"]
    again = client.post(path, headers=w.keys.auth("admin"))
    assert (again.status_code, again.json["error"]["code"]) == (409, "response_not_quarantined")
    assert client.post(f"/v1/responses/{accepted['id']}/release",
                       headers=w.keys.auth("admin")).status_code == 409
    nps = client.get("/v1/metrics/nps", headers=w.keys.auth("read")).json
    assert (nps["detractors"], nps["total"]) == (1, 2)
    with w.app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "response.release")).one()
    assert entry.entity_id == str(held["id"])
    assert entry.actor.startswith("key:")
    assert entry.changes["verdict"] == ["quarantined", "released"]


def test_another_sites_admin_cannot_release_it(protected) -> None:
    w = world(protected())
    other = world(w.app)
    held = _post(w, **{"User-Agent": "curl/8.4.0"}).json
    response = w.app.test_client().post(f"/v1/responses/{held['id']}/release",
                                        headers=other.keys.auth("admin"))
    assert (response.status_code, response.json["error"]["code"]) == (404, "response_not_found")


def test_the_stored_fingerprint_is_a_keyed_hash_never_the_ip(protected) -> None:
    w = world(protected())
    created = _post(w)
    with w.app.app_context():
        stored = db.session.get(Response, created.json["id"]).fingerprint
    assert stored is not None and len(stored) == 64 and "127.0.0.1" not in stored
    args = ("127.0.0.1", BROWSER_UA, "en-GB,en;q=0.9")
    assert stored == fingerprint("test-secret-key", *args)
    assert stored != fingerprint("another-secret", *args)


def test_the_verdict_rules_are_pure_and_cumulative() -> None:
    verdict = assess_submission(
        Submission(BROWSER_SOURCE, "", Signals(webdriver=True, elapsed_ms=10, honeypot="x")),
        History(same_survey_recent=1, site_recent=5))
    assert verdict.reasons == ("user_agent_missing", "webdriver", "honeypot", "too_fast",
                               "repeat_answer", "burst")
    assert assess_submission(Submission(SERVER_SOURCE, ""), History(3, 9)).verdict == "accepted"
