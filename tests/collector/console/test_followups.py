"""The follow-up inbox: cases per team with their SLA due; assign, note and change status,
audited; read keys and other sites' forms refused; team keys held to their team."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from collector.core.clock import now
from collector.core.extensions import db
from collector.models import ApiKey, AuditEntry, FollowupCase
from tests.collector.conftest import Stage
from tests.collector.console.conftest import SignIn, page, recent


@pytest.fixture
def cases(stage: Stage) -> dict[str, int]:
    """A billing detractor (checkout), a support detractor, and an overdue one."""
    with stage.app.app_context():
        from collector.models import Site

        site = db.session.get(Site, stage.keys.site_id)
        assert site is not None
        site.settings = {"followup": {"sla_hours": 24, "owners": ["ana@example.com"],
                                      "teams": {"billing": ["bo@example.com"]},
                                      "rules": [{"touchpoint": "checkout", "team": "billing"}]}}
        db.session.commit()
    billing = recent(stage, 2, days_ago=0.1, touchpoint="checkout", comment="Charged twice")
    support = recent(stage, 5, days_ago=0.2, comment="Slow answers",
                     properties={"team": "support"})
    with stage.app.app_context():
        found = {c.response_id: c for c in db.session.query(FollowupCase)}
        late = found[support]
        late.due_at = now() - timedelta(hours=1)
        db.session.commit()
        return {"billing": found[billing].id, "support": found[support].id}


def test_the_inbox_lists_open_cases_with_due_times_per_team(cases: dict[str, int],
                                                            sign_in: SignIn) -> None:
    client = sign_in("read")
    html = page(client, "/console/followups")
    assert f'/console/followups/{cases["billing"]}"' in html and "Charged twice" in html
    support = cases["support"]
    assert re.search(rf'Case {support}</a> · open\s*· <span class="overdue">overdue', html)
    billing = page(client, "/console/followups", team="billing")
    assert "Charged twice" in billing and "Slow answers" not in billing
    overdue = page(client, "/console/followups", overdue="1")
    assert "Slow answers" in overdue and "Charged twice" not in overdue


def test_assign_note_and_status_are_recorded(stage: Stage, cases: dict[str, int],
                                             sign_in: SignIn) -> None:
    client = sign_in("admin")
    case = cases["billing"]
    answer = client.post(f"/console/followups/{case}/assign", data={"owner": "cy@example.com"})
    assert answer.status_code == 303
    client.post(f"/console/followups/{case}/notes", data={"text": "Called, left a message"})
    client.post(f"/console/followups/{case}/status", data={"status": "contacted"})
    html = page(client, f"/console/followups/{case}")
    assert "Owner</dt><dd>cy@example.com</dd>" in html and f"Case {case}: contacted" in html
    assert "note: Called, left a message" in html
    with stage.app.app_context():
        actions = [a for (a,) in db.session.query(AuditEntry.action).filter(
            AuditEntry.entity_id == str(case), AuditEntry.actor.like("key:%"))]
        assert actions == ["followup.assigned", "followup.note", "followup.status"]


def test_a_status_cannot_move_backwards(cases: dict[str, int], sign_in: SignIn) -> None:
    client = sign_in("admin")
    case = cases["billing"]
    client.post(f"/console/followups/{case}/status", data={"status": "resolved"})
    answer = client.post(f"/console/followups/{case}/status", data={"status": "open"})
    assert answer.status_code == 409
    assert "cannot go from resolved to open" in answer.get_data(as_text=True)


def test_an_empty_note_adds_nothing(stage: Stage, cases: dict[str, int],
                                    sign_in: SignIn) -> None:
    client = sign_in("admin")
    client.post(f"/console/followups/{cases['billing']}/notes", data={"text": "   "})
    with stage.app.app_context():
        found = db.session.get(FollowupCase, cases["billing"])
        assert found is not None and [e["kind"] for e in found.timeline] == ["created"]


@pytest.mark.parametrize(("role", "headers", "status"), [
    ("read", {}, 403),
    ("admin", {"Origin": "https://evil.example"}, 403),
    ("admin", {"Sec-Fetch-Site": "cross-site"}, 403),
])
def test_read_keys_and_other_sites_cannot_change_a_case(
        stage: Stage, cases: dict[str, int], sign_in: SignIn, role: str,
        headers: dict[str, str], status: int) -> None:
    client = sign_in(role)
    case = cases["billing"]
    for action, data in (("assign", {"owner": "x@example.com"}), ("notes", {"text": "x"}),
                         ("status", {"status": "contacted"})):
        answer = client.post(f"/console/followups/{case}/{action}", data=data, headers=headers)
        assert answer.status_code == status, action
    with stage.app.app_context():
        found = db.session.get(FollowupCase, case)
        assert found is not None and found.status == "open" and found.owner == "bo@example.com"


def test_a_team_key_sees_and_changes_only_its_team(stage: Stage, cases: dict[str, int]) -> None:
    from collector.access.keys import create_key

    with stage.app.app_context():
        key, raw = create_key(db.session, stage.keys.site_id, "admin", now())
        assert isinstance(key, ApiKey)
        key.team = "billing"
        db.session.commit()
    client = stage.app.test_client()
    client.post("/console/sign-in", data={"key": raw})
    html = page(client, "/console/followups", team="support")
    assert "Charged twice" in html and "Slow answers" not in html
    assert client.get(f"/console/followups/{cases['support']}").status_code == 404
    moved = client.post(f"/console/followups/{cases['billing']}/assign",
                        data={"owner": "di@example.com", "team": "support"})
    assert moved.status_code == 303
    with stage.app.app_context():
        found = db.session.get(FollowupCase, cases["billing"])
        assert found is not None and (found.owner, found.team) == ("di@example.com", "billing")


def test_the_inbox_hides_closed_cases_unless_asked(cases: dict[str, int], sign_in: SignIn
                                                   ) -> None:
    client = sign_in("admin")
    client.post(f"/console/followups/{cases['billing']}/status", data={"status": "resolved"})
    assert "Charged twice" not in page(client, "/console/followups")
    assert "Charged twice" in page(client, "/console/followups", status="resolved")
    assert "Charged twice" in page(client, "/console/followups", status="all")


def test_inbox_pages_hold_only_open_cases(stage: Stage, sign_in: SignIn) -> None:
    ids = [recent(stage, 3, days_ago=2 - i * 0.01) for i in range(60)]
    with stage.app.app_context():
        for case in db.session.query(FollowupCase).filter(FollowupCase.response_id.in_(ids[30:])):
            case.status, case.closed_at = "resolved", now()
        db.session.commit()
    client = sign_in("read")
    first = page(client, "/console/followups")
    assert first.count('class="detractor"') == 30 and 'rel="next"' not in first
