"""The quarantine review: held-back answers with their reasons; release counts the answer,
opens its follow-up case and leaves an audit entry; read keys and other sites refused."""

from __future__ import annotations

import pytest

from collector.core.extensions import db
from collector.models import AuditEntry, FollowupCase, Response
from tests.collector.conftest import Stage
from tests.collector.console.conftest import SignIn, page, recent


@pytest.fixture
def held(stage: Stage) -> int:
    recent(stage, 9, verdict="quarantined", verdict_reasons=["too_fast"])
    return recent(stage, 3, comment="Bot or not?", verdict="quarantined",
                  verdict_reasons=["too_fast", "webdriver"])


def test_the_review_lists_answers_and_counts_reasons(held: int, sign_in: SignIn) -> None:
    html = page(sign_in("read"), "/console/quarantine")
    assert "2 answers are held back" in html
    assert "<dt>too_fast</dt><dd>2</dd>" in html and "<dt>webdriver</dt><dd>1</dd>" in html
    assert "Bot or not?" in html and "too_fast, webdriver" in html
    assert "Release" not in html  # a read key sees no form


def test_release_counts_the_answer_with_an_audit_entry(stage: Stage, held: int,
                                                       sign_in: SignIn) -> None:
    client = sign_in("admin")
    answer = client.post(f"/console/quarantine/{held}/release")
    assert answer.status_code == 303
    html = page(client, "/console/quarantine")
    assert f"Answer {held} is released" in html and "1 answer is held back" in html
    assert "Recently released" in html and "held for too_fast, webdriver" in html
    with stage.app.app_context():
        response = db.session.get(Response, held)
        assert response is not None and response.verdict == "released"
        entry = db.session.query(AuditEntry).filter_by(action="response.release").one()
        assert entry.entity_id == str(held) and entry.actor.startswith("key:")
        assert entry.changes["verdict_reasons"] == ["too_fast", "webdriver"]
        assert db.session.query(FollowupCase).filter_by(response_id=held).count() == 1
    overview = page(client, "/console/")
    assert "Answers counted</dt><dd>1</dd>" in overview


def test_releasing_twice_changes_nothing_more(stage: Stage, held: int,
                                             sign_in: SignIn) -> None:
    client = sign_in("admin")
    client.post(f"/console/quarantine/{held}/release")
    again = client.post(f"/console/quarantine/{held}/release")
    assert again.status_code == 303
    assert "is released, not quarantined" in page(client, "/console/quarantine")
    with stage.app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="response.release").count() == 1


@pytest.mark.parametrize(("role", "headers"), [
    ("read", {}), ("admin", {"Origin": "https://evil.example"}),
])
def test_read_keys_and_other_sites_cannot_release(stage: Stage, held: int, sign_in: SignIn,
                                                  role: str, headers: dict[str, str]) -> None:
    answer = sign_in(role).post(f"/console/quarantine/{held}/release", headers=headers)
    assert answer.status_code == 403
    with stage.app.app_context():
        response = db.session.get(Response, held)
        assert response is not None and response.verdict == "quarantined"


def test_an_unknown_answer_is_not_found(sign_in: SignIn) -> None:
    assert sign_in("admin").post("/console/quarantine/999/release").status_code == 404
