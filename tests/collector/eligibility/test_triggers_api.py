"""POST /v1/triggers, /v1/tickets and the invitations they create, sent or cancelled later."""

from __future__ import annotations

from sqlalchemy import select

from collector.core.extensions import db
from collector.models import Invitation, Job
from tests.collector.eligibility.conftest import World


def _invitation(world: World, invitation_id: int) -> Invitation:
    with world.app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        assert invitation is not None
        db.session.expunge(invitation)
        return invitation


def test_a_link_trigger_hands_out_a_link_at_once(world: World) -> None:
    world.survey("nps")
    answer = world.trigger(survey="nps", user_id="u-1", channel="link")
    invitation = answer["invitation"]
    assert answer["eligible"] is True and invitation["status"] == "sent"
    assert invitation["url"].startswith("http://collector.test/s/")
    with world.app.app_context():
        from collector.eligibility.invitation_links import find_invitation_by_token

        token = invitation["url"].rsplit("/", 1)[1]
        found = find_invitation_by_token(db.session, token)
        assert found is not None and found.id == invitation["id"]
        assert found.token_hash != token
    # The link counts as a contact: the widget does not ask again.
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "recently_surveyed"


def test_an_email_trigger_is_queued_for_the_worker(world: World) -> None:
    world.survey("nps")
    answer = world.trigger(survey="nps", email="Ann@Example.com", channel="email")
    assert answer["invitation"]["status"] == "pending"
    with world.app.app_context():
        jobs = db.session.scalars(select(Job).where(Job.kind == "invitation.due")).all()
        assert [job.payload for job in jobs] == [{"invitation_id": answer["invitation"]["id"]}]


def test_a_second_trigger_while_one_is_pending_returns_the_same_invitation(
        world: World) -> None:
    world.survey("nps")
    first = world.trigger(survey="nps", user_id="u-1", email="a@example.com", delay=3600)
    second = world.trigger(survey="nps", user_id="u-1", email="a@example.com")
    assert second["reason"] == "eligible"
    assert second["invitation"]["id"] == first["invitation"]["id"]
    assert second["invitation"]["url"] is None
    page = world.get("/v1/invitations").get_json()
    assert len(page["data"]) == 1


def test_a_dry_run_trigger_creates_nothing(world: World) -> None:
    world.survey("nps")
    answer = world.trigger(survey="nps", user_id="u-1", channel="link", dry_run=True)
    assert answer == {"eligible": True, "reason": "eligible", "invitation": None}
    assert world.get("/v1/invitations").get_json()["data"] == []
    assert world.counts() == {}


def test_a_delayed_in_app_trigger_is_shown_by_the_widget_once_due(world: World) -> None:
    world.survey("nps", show_on={"events": ["never"]})
    answer = world.trigger(survey="nps", user_id="u-1", channel="in_app", delay=600)
    assert answer["invitation"]["send_at"] == "2026-03-02T09:10:00+00:00"
    assert world.eligibility(user_id="u-1", url="https://x/")["reason"] == "survey_inactive"
    world.clock.advance(minutes=10)
    assert world.run_jobs() == 1
    shown = world.eligibility(user_id="u-1", url="https://x/")
    assert shown["eligible"] is True and shown["survey"]["key"] == "nps"
    assert _invitation(world, answer["invitation"]["id"]).status == "sent"
    response = world.post("/v1/responses", {"survey": "nps", "score": 10, "user_id": "u-1"},
                          "publishable")
    assert response.status_code == 201
    assert _invitation(world, answer["invitation"]["id"]).status == "answered"


def test_a_ticket_reopened_before_send_time_cancels_the_invitation(world: World) -> None:
    world.survey("nps")
    world.ticket(ticket_id="T-1", user_id="u-1", status="open")
    world.clock.advance(hours=1)
    world.ticket(ticket_id="T-1", user_id="u-1", status="solved")
    answer = world.trigger(survey="nps", user_id="u-1", channel="link",
                           touchpoint="support_resolution")
    invitation = answer["invitation"]
    assert invitation["status"] == "pending"
    assert invitation["send_at"] == "2026-03-03T10:00:00+00:00"  # 24 h after the resolution
    world.clock.advance(hours=2)
    world.ticket(ticket_id="T-1", user_id="u-1", status="open")
    world.clock.advance(hours=22)
    assert world.run_jobs() == 1
    cancelled = _invitation(world, invitation["id"])
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "open_ticket"
    assert world.counts()[("nps", "open_ticket")] == 1


def test_a_ticket_solved_again_moves_the_send_time(world: World) -> None:
    world.survey("nps")
    world.ticket(ticket_id="T-1", user_id="u-1", status="solved")
    answer = world.trigger(survey="nps", user_id="u-1", channel="link", delay=60)
    assert answer["invitation"]["send_at"] == "2026-03-03T09:00:00+00:00"
    world.clock.advance(hours=12)
    world.ticket(ticket_id="T-1", user_id="u-1", status="open")
    world.ticket(ticket_id="T-1", user_id="u-1", status="closed",
                 at="2026-03-02T22:00:00Z")
    world.clock.advance(hours=12)
    world.run_jobs()
    moved = _invitation(world, answer["invitation"]["id"])
    assert moved.status == "pending"
    assert moved.send_at.isoformat() == "2026-03-03T22:00:00+00:00"
    world.clock.set(moved.send_at)
    world.run_jobs()
    assert _invitation(world, answer["invitation"]["id"]).status == "sent"


def test_an_open_ticket_excludes_the_person_everywhere(world: World) -> None:
    world.survey("nps")
    world.ticket(ticket_id="T-9", email="a@example.com", status="pending")
    answer = world.trigger(survey="nps", email="a@example.com", channel="email")
    assert answer == {"eligible": False, "reason": "open_ticket", "invitation": None}
    assert world.eligibility(survey="nps", email="a@example.com")["reason"] == "open_ticket"


def test_ticket_events_are_idempotent_and_order_safe(world: World) -> None:
    world.survey("nps")
    solved = world.ticket(ticket_id="T-1", user_id="u-1", status="solved",
                          at="2026-03-02T08:00:00Z")
    assert solved["applied"] is True
    late_open = world.ticket(ticket_id="T-1", user_id="u-1", status="open",
                             at="2026-03-02T07:00:00Z")
    assert late_open == {"ticket_id": "T-1", "status": "solved",
                         "at": "2026-03-02T08:00:00+00:00", "applied": False}
    repeat = world.ticket(ticket_id="T-1", user_id="u-1", status="solved",
                          at="2026-03-02T08:00:00Z")
    assert repeat["applied"] is False
    assert world.eligibility(survey="nps", user_id="u-1", dry_run=True)["eligible"] is True


def test_ticket_and_trigger_input_errors(world: World) -> None:
    world.survey("nps")
    nobody = world.post("/v1/tickets", {"ticket_id": "T", "status": "open"})
    assert nobody.status_code == 422 and nobody.get_json()["error"]["field"] == "user_id"
    bad_status = world.post("/v1/tickets", {"ticket_id": "T", "user_id": "u",
                                            "status": "maybe"})
    assert bad_status.status_code == 422
    assert world.post("/v1/tickets", {"ticket_id": "T", "user_id": "u", "status": "open"},
                      "publishable").status_code == 403
    both = world.post("/v1/triggers", {"survey": "nps", "user_id": "u", "delay": 5,
                                       "send_at": "2026-03-05T00:00:00Z"})
    assert both.status_code == 422 and both.get_json()["error"]["field"] == "send_at"
    no_email = world.post("/v1/triggers", {"survey": "nps", "user_id": "u",
                                           "channel": "email"})
    assert no_email.status_code == 422
    assert no_email.get_json()["error"]["code"] == "email_required"
    unknown = world.post("/v1/triggers", {"survey": "nope", "user_id": "u"})
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "survey_not_found"
    assert world.post("/v1/triggers", {"survey": "nps", "user_id": "u"},
                      "publishable").status_code == 403


def test_unsubscribed_people_get_no_email_but_can_get_a_link(world: World) -> None:
    world.survey("nps")
    world.trigger(survey="nps", user_id="u-1", email="a@example.com", channel="link",
                  dry_run=False)
    with world.app.app_context():
        from collector.models import Person

        person = db.session.scalars(select(Person)).one()
        person.unsubscribed_at = world.clock()
        db.session.commit()
    world.clock.advance(days=365)
    assert world.trigger(survey="nps", user_id="u-1", channel="email")["reason"] == \
        "unsubscribed"
    assert world.trigger(survey="nps", user_id="u-1", channel="link")["eligible"] is True


def test_invitations_are_listed_newest_first_with_cursors(world: World) -> None:
    world.survey("nps")
    ids = [world.trigger(survey="nps", user_id=f"u-{i}", channel="in_app")["invitation"]["id"]
           for i in range(3)]
    first = world.get("/v1/invitations?limit=2").get_json()
    assert [row["id"] for row in first["data"]] == ids[::-1][:2]
    assert first["has_more"] is True
    rest = world.get(f"/v1/invitations?limit=2&cursor={first['next_cursor']}").get_json()
    assert [row["id"] for row in rest["data"]] == ids[:1]
    assert rest["has_more"] is False and rest["next_cursor"] is None
    assert world.get("/v1/invitations?cursor=garbage").get_json()["error"]["code"] == \
        "invalid_cursor"
    assert world.get("/v1/invitations?status=sent").get_json()["data"] == []
    assert len(world.get("/v1/invitations?survey=nps", "read").get_json()["data"]) == 3


def test_a_pending_invitation_can_be_cancelled_once(world: World) -> None:
    world.survey("nps")
    invitation = world.trigger(survey="nps", user_id="u-1", channel="link",
                               delay=3600)["invitation"]
    path = f"/v1/invitations/{invitation['id']}/cancel"
    cancelled = world.post(path, {})
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["cancel_reason"] == "cancelled_by_api"
    again = world.post(path, {})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invitation_not_pending"
    assert world.post("/v1/invitations/999/cancel", {}).status_code == 404
    world.clock.advance(hours=2)
    world.run_jobs()
    assert _invitation(world, invitation["id"]).status == "cancelled"
    # Nothing pending any more: a new trigger creates a new invitation.
    fresh = world.trigger(survey="nps", user_id="u-1", channel="link", delay=60)
    assert fresh["invitation"]["id"] != invitation["id"]


def test_an_email_invitation_without_smtp_is_handed_over_at_send_time(world: World) -> None:
    world.survey("nps")
    answer = world.trigger(survey="nps", user_id="u-1", email="a@example.com",
                           channel="email", delay=3600)
    assert world.run_jobs() == 0
    world.clock.advance(hours=1)
    assert world.run_jobs() == 1
    sent = _invitation(world, answer["invitation"]["id"])
    assert sent.status == "sent" and sent.sent_at == world.clock()
    assert world.eligibility(survey="nps", user_id="u-1")["reason"] == "recently_surveyed"


def test_an_expired_in_app_invitation_no_longer_blocks_a_new_one(world: World) -> None:
    world.survey("nps", show_on={"events": ["never"]})
    old = world.trigger(survey="nps", user_id="u-1", channel="in_app")["invitation"]
    assert old["expires_at"] == "2026-04-01T09:00:00+00:00"  # 30 days, the default
    world.clock.set(world.clock().replace(month=4, day=1))
    assert world.eligibility(user_id="u-1", url="https://x/")["reason"] == "survey_inactive"
    new = world.trigger(survey="nps", user_id="u-1", channel="in_app")["invitation"]
    assert new["id"] != old["id"]
    assert _invitation(world, old["id"]).status == "expired"
