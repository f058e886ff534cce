from __future__ import annotations

from typing import Any

import pytest

from collector.core.extensions import db
from tests.factories import make_site, make_survey

RULES: dict[str, Any] = {
    "sla_hours": 24,
    "owners": ["ana@example.com", "bo@example.com"],
    "teams": {"billing": ["cy@example.com", "dee@example.com"]},
    "rules": [{"touchpoint": "checkout", "team": "billing"},
              {"team_property": "support", "team": "support", "owner": "sam@example.com"}],
}


@pytest.fixture
def case_app(make_app, sqlite_url, clock):
    return make_app(sqlite_url, CLOCK=clock)


@pytest.fixture
def case_site(case_app):
    with case_app.app_context():
        site = make_site(db.session, followup=RULES)
        make_survey(db.session, site.site_id)
    return site


@pytest.fixture
def answer(case_app, case_site):
    client = case_app.test_client()

    def post(score: int, user: str = "u-1", **extra: Any) -> dict[str, Any]:
        reply = client.post("/v1/responses", json={"survey": "nps", "score": score,
                                                   "user_id": user, **extra},
                            headers=case_site.auth())
        assert reply.status_code == 201, reply.get_json()
        return reply.get_json()

    return post
