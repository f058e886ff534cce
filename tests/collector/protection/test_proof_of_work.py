"""Proof of work, per survey: off, always, or automatic when answers surge. A display that
asks for it must be answered with the solution, or the answer is kept but quarantined
(``no_proof_of_work``). docs/protection.md, "Proof of work"."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from collector.core.extensions import db
from collector.protection.proof_of_work import (
    Rates,
    challenge_for,
    required,
    solved,
    surging,
)
from tests.collector.protection.conftest import (
    World,
    answer_as_widget,
    shown,
    solve,
    world,
)
from tests.factories import make_survey

SMALL = {"PROOF_OF_WORK_MAX_NUMBER": 2000}


def _survey(w: World, mode: str, key: str = "guarded") -> str:
    with w.app.app_context():
        return make_survey(db.session, w.keys.site_id, key, proof_of_work=mode)


def test_a_solution_proves_work_for_its_own_display_only() -> None:
    challenge = challenge_for("secret", "token-a", max_number=500, number=321)
    answer = solve(challenge)
    assert json.loads(base64.b64decode(answer))["number"] == 321
    assert solved("secret", "token-a", answer)
    assert not solved("secret", "token-b", answer)        # another display
    assert not solved("another secret", "token-a", answer)  # not our challenge
    assert not solved("secret", "token-a", None)
    assert not solved("secret", "token-a", "bm90IGpzb24=")  # "not json"


@pytest.mark.parametrize(("rates", "surge"), [
    (Rates(recent=29, baseline=0), False),       # too few to call it a surge
    (Rates(recent=30, baseline=0), True),        # a new survey's first 30 in ten minutes
    (Rates(recent=40, baseline=1440), False),    # 10 per ten minutes usually: 4x
    (Rates(recent=50, baseline=1440), True),     # 5x
])
def test_automatic_turns_on_when_answers_surge(rates: Rates, surge: bool) -> None:
    assert surging(rates) is surge
    assert required("automatic", rates) is surge


def test_the_modes() -> None:
    assert required("always", None) and not required("off", Rates(1000, 0))
    assert not required(None, Rates(1000, 0))


def test_off_by_default_no_challenge(protected) -> None:
    w = world(protected(**SMALL))
    assert shown(w)["proof_of_work"] is None


def test_always_the_widget_solves_and_is_accepted(protected) -> None:
    w = world(protected(**SMALL))
    survey = _survey(w, "always")
    seen = shown(w, survey)
    assert set(seen["proof_of_work"]) == {"algorithm", "challenge", "maxNumber", "salt",
                                          "signature"}
    answered = answer_as_widget(w, {"survey": survey})
    assert answered.stored == {"verdict": "accepted", "verdict_reasons": [],
                               "verdict_signals": []}


@pytest.mark.parametrize("proof", [None, "", "bm90IGpzb24="])
def test_always_an_answer_without_a_solution_is_quarantined(protected, proof) -> None:
    w = world(protected(**SMALL))
    survey = _survey(w, "always")
    visitor = uuid.uuid4().hex
    token = shown(w, survey, anonymous_id=visitor)["display_token"]
    body = {"survey": survey, "anonymous_id": visitor}
    if proof is not None:
        body["proof_of_work"] = proof
    answered = answer_as_widget(w, body, token=token)
    assert answered.status_code == 201
    assert answered.stored["verdict_reasons"] == ["no_proof_of_work"]


def test_a_solution_for_another_display_does_not_count(protected) -> None:
    w = world(protected(**SMALL))
    survey = _survey(w, "always")
    visitor = uuid.uuid4().hex
    other = shown(w, survey, anonymous_id=uuid.uuid4().hex)["proof_of_work"]
    token = shown(w, survey, anonymous_id=visitor)["display_token"]
    answered = answer_as_widget(w, {"survey": survey, "anonymous_id": visitor,
                                    "proof_of_work": solve(other)}, token=token)
    assert answered.stored["verdict_reasons"] == ["no_proof_of_work"]


def test_automatic_asks_once_answers_surge(protected, clock) -> None:
    w = world(protected(**SMALL))
    survey = _survey(w, "automatic")
    assert shown(w, survey)["proof_of_work"] is None
    client = w.app.test_client()
    for _ in range(30):  # a backend's import would do the same: answers are answers
        client.post("/v1/responses", json={"survey": survey, "score": 9},
                    headers=w.keys.auth())
    clock.advance(minutes=1, seconds=1)  # each process looks again after a minute
    assert shown(w, survey)["proof_of_work"] is not None


def test_the_survey_setting_is_validated(protected) -> None:
    w = world(protected())
    refused = w.app.test_client().post("/v1/surveys", headers=w.keys.auth(), json={
        "key": "x", "name": "X", "config": {"texts": {"en": {"question": "Q?"}},
                                            "proof_of_work": "sometimes"}})
    assert refused.status_code == 422
    assert "proof_of_work" in json.dumps(refused.json)

