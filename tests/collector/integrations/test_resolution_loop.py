"""A real ticket's whole loop: solved in Zendesk, surveyed 24 h later, or cancelled if it
reopens first; on SQLite and PostgreSQL, with the fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collector.core.extensions import db
from collector.models import Invitation
from tests.collector.eligibility.conftest import World, build_world
from tests.collector.integrations.conftest import Helpdesk, connect, stamp, zendesk_ticket
from tests.conftest import AppFactory, FakeClock


@pytest.fixture(params=["sqlite", "postgres"])
def helpdesk(request: pytest.FixtureRequest, make_app: AppFactory,
             clock: FakeClock) -> Helpdesk:
    world = build_world(make_app, request.getfixturevalue(f"{request.param}_url"), clock)
    world.survey("support_resolution", touchpoint="support_resolution")
    return connect(world, "zendesk")


def _invitation(world: World, invitation_id: int) -> Invitation:
    with world.app.app_context():
        found = db.session.get(Invitation, invitation_id)
        assert found is not None
        db.session.expunge(found)
        return found


def _ticket(helpdesk: Helpdesk, status: str) -> dict:
    answer = helpdesk.zendesk(zendesk_ticket(status=status,
                                             updated_at=stamp(helpdesk.world.clock())))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_solved_ticket_schedules_the_survey_after_the_resolution_delay(
        helpdesk: Helpdesk) -> None:
    world = helpdesk.world
    _ticket(helpdesk, "Open")
    world.clock.advance(hours=2)
    solved = _ticket(helpdesk, "Solved")
    invitation = _invitation(world, solved["invitation_id"])
    assert invitation.status == "pending" and invitation.channel == "email"
    assert invitation.touchpoint == "support_resolution"
    assert invitation.send_at == world.clock() + timedelta(hours=24)
    world.clock.advance(hours=23)
    assert world.run_jobs() == 0
    assert _invitation(world, invitation.id).status == "pending"
    world.clock.advance(hours=1)
    world.run_jobs()
    assert _invitation(world, invitation.id).status == "sent"
    assert world.counts()[("support_resolution", "eligible")] == 1


def test_a_ticket_reopened_before_the_delay_cancels_the_survey(helpdesk: Helpdesk) -> None:
    world = helpdesk.world
    solved = _ticket(helpdesk, "Solved")
    world.clock.advance(hours=3)
    reopened = _ticket(helpdesk, "Open")
    assert reopened["invitation_id"] is None
    world.clock.advance(hours=21)
    assert world.run_jobs() == 1
    cancelled = _invitation(world, solved["invitation_id"])
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "open_ticket")
    assert world.counts()[("support_resolution", "open_ticket")] == 1
    deliveries = helpdesk.deliveries()
    assert [(d["ticket_status"], d["code"]) for d in deliveries] == [
        ("open", "applied"), ("solved", "applied")]
    assert deliveries[1]["invitation_id"] == solved["invitation_id"]


def test_closing_a_solved_ticket_does_not_schedule_a_second_survey(
        helpdesk: Helpdesk) -> None:
    solved = _ticket(helpdesk, "Solved")
    helpdesk.world.clock.advance(hours=1)
    closed = _ticket(helpdesk, "Closed")
    assert closed["applied"] is True and closed["invitation_id"] is None
    assert helpdesk.stored() == (1, 1, 1)
    assert solved["invitation_id"] is not None


def test_an_in_app_survey_is_shown_at_the_next_visit_once_due(
        make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> None:
    world = build_world(make_app, sqlite_url, clock)
    world.survey("support_resolution", touchpoint="support_resolution",
                 show_on={"events": ["never"]})
    helpdesk = connect(world, "zendesk", channel="in_app")
    answer = helpdesk.zendesk(zendesk_ticket(status="Solved", email="",
                                             external_id="u-9",
                                             updated_at=stamp(clock())))
    assert answer.get_json()["invitation_id"] is not None
    assert world.eligibility(user_id="u-9", url="https://x/")["eligible"] is False
    clock.advance(hours=24)
    world.run_jobs()
    shown = world.eligibility(user_id="u-9", url="https://x/")
    assert shown["eligible"] is True and shown["survey"]["key"] == "support_resolution"
