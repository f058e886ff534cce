"""Follow-up cases: opened for detractors, assigned by rules, due by the SLA, closed or won back."""

from __future__ import annotations

from sqlalchemy import select

from collector.access.keys import create_key
from collector.core.extensions import db
from collector.models import AuditEntry, Site


def _cases(client, site, **query):
    reply = client.get("/v1/followups", query_string=query, headers=site.auth())
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["data"]


def test_a_detractor_opens_a_case_due_by_the_sla(case_app, case_site, answer, clock):
    response = answer(4)
    answer(8, "passive")
    answer(10, "promoter")
    [case] = _cases(case_app.test_client(), case_site)
    assert case["response_id"] == response["id"]
    assert case["status"] == "open"
    assert case["owner"] == "ana@example.com"
    assert case["due_at"].startswith("2026-03-03T09:00:00")  # 24 h SLA from the settings
    assert [e["kind"] for e in case["timeline"]] == ["created"]


def test_passives_open_cases_when_the_site_asks_for_it(case_app, case_site, answer):
    with case_app.app_context():
        site = db.session.get(Site, case_site.site_id)
        site.settings = {"followup": {"include_passives": True}}
        db.session.commit()
    answer(7)
    [case] = _cases(case_app.test_client(), case_site)
    assert case["score"] == 7
    assert case["due_at"].startswith("2026-03-04T09:00:00")  # the default 48 h


def test_cases_go_round_robin_among_owners(case_app, case_site, answer):
    for n in range(3):
        answer(2, f"u{n}")
    owners = [c["owner"] for c in reversed(_cases(case_app.test_client(), case_site))]
    assert owners == ["ana@example.com", "bo@example.com", "ana@example.com"]


def test_rules_route_by_touchpoint_and_by_team(case_app, case_site, answer):
    answer(3, "a", touchpoint="checkout")
    answer(3, "b", touchpoint="checkout")
    answer(3, "c", properties={"team": "support"})
    client = case_app.test_client()
    billing = [c["owner"] for c in reversed(_cases(client, case_site, team="billing"))]
    assert billing == ["cy@example.com", "dee@example.com"]
    [support] = _cases(client, case_site, team="support")
    assert support["owner"] == "sam@example.com"


def test_status_moves_forward_with_notes_and_an_audit_trail(case_app, case_site, answer, clock):
    answer(1)
    client = case_app.test_client()
    [case] = _cases(client, case_site)
    clock.advance(hours=2)
    moved = client.patch(f"/v1/followups/{case['id']}",
                         json={"status": "contacted", "owner": "bo@example.com",
                               "note": "Called, left a message."}, headers=case_site.auth())
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert (body["status"], body["owner"]) == ("contacted", "bo@example.com")
    assert body["contacted_at"].startswith("2026-03-02T11:00")
    assert [e["kind"] for e in body["timeline"]] == ["created", "assigned", "status", "note"]
    back = client.patch(f"/v1/followups/{case['id']}", json={"status": "open"},
                        headers=case_site.auth())
    assert back.status_code == 409
    assert back.get_json()["error"]["code"] == "invalid_transition"
    note = client.post(f"/v1/followups/{case['id']}/notes", json={"text": "Refund sent."},
                       headers=case_site.auth())
    assert note.status_code == 201
    assert client.patch(f"/v1/followups/{case['id']}", json={"status": "resolved"},
                        headers=case_site.auth()).get_json()["closed_at"] is not None
    with case_app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity_type == "followup_case").order_by(AuditEntry.id)))
    assert actions == ["followup.created", "followup.assigned", "followup.status",
                       "followup.note", "followup.note", "followup.status"]


def test_a_higher_next_score_wins_the_customer_back(case_app, case_site, answer, clock):
    answer(3, "returning")
    clock.advance(days=20)
    answer(9, "returning")
    client = case_app.test_client()
    [case] = _cases(client, case_site)
    assert case["status"] == "won_back"
    assert case["timeline"][-1]["kind"] == "won_back"


def test_a_lower_or_equal_next_score_is_not_a_win(case_app, case_site, answer, clock):
    answer(5, "still-unhappy")
    clock.advance(days=20)
    answer(5, "still-unhappy")
    statuses = {c["status"] for c in _cases(case_app.test_client(), case_site)}
    assert statuses == {"open"}


def test_figures_time_to_contact_resolution_and_sla_share(case_app, case_site, answer, clock):
    client = case_app.test_client()
    for n in range(3):
        answer(2, f"u{n}")
    cases = sorted(_cases(client, case_site), key=lambda c: c["id"])
    clock.advance(hours=2)
    client.patch(f"/v1/followups/{cases[0]['id']}", json={"status": "contacted"},
                 headers=case_site.auth())
    clock.advance(hours=2)
    client.patch(f"/v1/followups/{cases[0]['id']}", json={"status": "resolved"},
                 headers=case_site.auth())
    client.patch(f"/v1/followups/{cases[1]['id']}", json={"status": "contacted"},
                 headers=case_site.auth())
    clock.advance(hours=30)  # past the 24 h SLA
    client.patch(f"/v1/followups/{cases[1]['id']}", json={"status": "resolved"},
                 headers=case_site.auth())
    stats = client.get("/v1/followups/stats", headers=case_site.auth("read")).get_json()
    assert stats["cases"] == 3
    assert stats["open"] == 1 and stats["overdue"] == 1
    assert stats["median_hours_to_first_contact"] == 3.0  # 2 h and 4 h
    assert stats["median_hours_to_resolution"] == 19.0  # 4 h and 34 h
    assert stats["closed_within_sla"] == 1 / 3  # one in time, one late, one open and late


def test_a_team_key_sees_only_its_team(case_app, case_site, answer, clock):
    answer(3, "a", touchpoint="checkout")
    answer(3, "b")
    with case_app.app_context():
        _, raw = create_key(db.session, case_site.site_id, "secret", clock(), team="billing")
        db.session.commit()
    team_auth = {"Authorization": f"Bearer {raw}"}
    client = case_app.test_client()
    seen = client.get("/v1/followups", headers=team_auth).get_json()["data"]
    assert [c["team"] for c in seen] == ["billing"]
    other = next(c for c in _cases(client, case_site) if c["team"] is None)
    assert client.get(f"/v1/followups/{other['id']}", headers=team_auth).status_code == 404
    assert client.patch(f"/v1/followups/{other['id']}", json={"status": "contacted"},
                        headers=team_auth).status_code == 404
    asked = client.get("/v1/followups?team=support", headers=team_auth)
    assert asked.status_code == 403
    assert client.get("/v1/followups/stats", headers=team_auth).get_json()["cases"] == 1


def test_case_changes_are_told_to_webhooks(case_app, case_site, answer):
    from collector.models import Job

    answer(2)
    client = case_app.test_client()
    [case] = _cases(client, case_site)
    client.patch(f"/v1/followups/{case['id']}", json={"status": "contacted"},
                 headers=case_site.auth())
    with case_app.app_context():
        events = [j.payload for j in db.session.scalars(select(Job).order_by(Job.id))
                  if j.kind == "event.dispatch"]
    assert [e["type"] for e in events] == ["response.created", "response.detractor",
                                           "followup.created", "followup.updated"]
    assert events[-1]["data"]["status"] == "contacted"
    assert events[-1]["data"]["change"] == "followup.status"
