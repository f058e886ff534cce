"""Releasing a quarantined answer does what accepting it would have done: the events
receivers missed, and the follow-up case a detractor opens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from collector.core.extensions import db
from collector.models import FollowupCase, Job
from tests.collector.protection.conftest import (
    BROWSER_UA,
    World,
    answer_as_widget,
    minted_token,
    world,
)

BOT = {"User-Agent": "curl/8.4.0"}
FOLLOWUP = {"sla_hours": 24, "owners": ["ana@example.com"]}


def _post(w: World, score: int, user: str, **headers: str) -> dict[str, Any]:
    """The widget's answer after a display (the survey's recontact rules aside)."""
    token = minted_token(w, f"u:{user}", user_agent=headers.get("User-Agent", BROWSER_UA))
    created = answer_as_widget(w, {"score": score, "user_id": user}, token=token, **headers)
    assert created.status_code == 201, created.json
    return {**created.json, **created.stored}


def _release(w: World, response_id: int) -> Any:
    return w.app.test_client().post(f"/v1/responses/{response_id}/release",
                                    headers=w.keys.auth("admin"))


def _events(w: World, response_id: int) -> list[tuple[str, str | None]]:
    """(type, verdict) of the events about one answer and its case, oldest first."""
    with w.app.app_context():
        payloads = [j.payload for j in db.session.scalars(
            select(Job).where(Job.kind == "event.dispatch").order_by(Job.id))]
    return [(p["type"], p["data"].get("verdict")) for p in payloads
            if p["data"].get("id") == response_id or p["data"].get("response_id") == response_id]


def _cases(w: World) -> list[FollowupCase]:
    with w.app.app_context():
        return list(db.session.scalars(select(FollowupCase).order_by(FollowupCase.id)))


def test_a_released_detractor_opens_its_case_due_from_the_release(protected, clock) -> None:
    w = world(protected(CLOCK=clock), followup=FOLLOWUP)
    held = _post(w, 2, "u-1", **BOT)
    assert held["verdict"] == "quarantined" and _cases(w) == []
    assert _events(w, held["id"]) == [("response.created", "quarantined")]
    clock.advance(hours=30)  # an admin looks at the quarantine the next day
    assert _release(w, held["id"]).status_code == 200
    (case,) = _cases(w)
    assert (case.response_id, case.status, case.owner) == (held["id"], "open", "ana@example.com")
    assert case.due_at == clock() + timedelta(hours=24)  # nobody could act before
    assert _events(w, held["id"]) == [
        ("response.created", "quarantined"), ("response.updated", "released"),
        ("response.detractor", "released"), ("followup.created", None)]


def test_a_released_promoter_is_told_but_opens_nothing(protected, clock) -> None:
    w = world(protected(CLOCK=clock), followup=FOLLOWUP)
    held = _post(w, 10, "u-1", **BOT)
    assert _release(w, held["id"]).status_code == 200
    assert _cases(w) == []
    assert _events(w, held["id"]) == [("response.created", "quarantined"),
                                      ("response.updated", "released")]


def test_a_release_opens_no_case_when_the_site_turned_cases_off(protected, clock) -> None:
    w = world(protected(CLOCK=clock), followup={"enabled": False})
    held = _post(w, 0, "u-1", **BOT)
    assert _release(w, held["id"]).status_code == 200
    assert _cases(w) == []


def test_a_release_after_a_happier_answer_is_won_back_at_once(protected, clock) -> None:
    w = world(protected(CLOCK=clock), followup=FOLLOWUP)
    held = _post(w, 1, "u-1", **BOT)
    clock.advance(days=2)
    happier = _post(w, 9, "u-1", **{"User-Agent": BROWSER_UA + " later"})
    assert happier["verdict"] == "accepted"
    clock.advance(days=1)
    unhappy_again = _post(w, 2, "u-1", **{"User-Agent": BROWSER_UA + " again"})
    assert _release(w, held["id"]).status_code == 200
    cases = {c.response_id: c for c in _cases(w)}
    # The 9 that came next would have won the 1 back; the 2 since has its own case.
    assert {k: c.status for k, c in cases.items()} == {held["id"]: "won_back",
                                                       unhappy_again["id"]: "open"}
    assert cases[held["id"]].timeline[-1]["response_id"] == happier["id"]


def test_a_late_release_does_not_win_back_a_case_opened_after_it(protected, clock) -> None:
    w = world(protected(CLOCK=clock), followup=FOLLOWUP)
    held = _post(w, 5, "u-1", **BOT)
    clock.advance(days=2)
    newer = _post(w, 2, "u-1", **{"User-Agent": BROWSER_UA + " newer"})
    assert _release(w, held["id"]).status_code == 200
    cases = {c.response_id: c.status for c in _cases(w)}
    # The older 5 is not "better news" than the newer 2: both cases stay open.
    assert cases == {newer["id"]: "open", held["id"]: "open"}
