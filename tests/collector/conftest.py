"""Fixtures for the analytics tests: a site with a survey on each database, and a way to
store answers with chosen times, touchpoints, values and verdicts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.people.lookup import upsert_person
from collector.responses.recording import NewResponse, record_response
from tests.factories import SiteKeys, make_site, make_survey

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Stage:
    app: Flask
    keys: SiteKeys
    client: FlaskClient

    def add(self, score: int, *, at: datetime = START, survey: str = "nps",
            user_id: str | None = None, **fields: Any) -> int:
        """Store one answer as the API would, at ``at``; returns its id."""
        with self.app.app_context():
            found = find_survey(db.session, self.keys.site_id, survey)
            assert found is not None
            person = upsert_person(db.session, self.keys.site_id, at, user_id=user_id,
                                   email=fields.pop("email", None))
            response = record_response(db.session, found, person,
                                       NewResponse(score=score, **fields), at)
            db.session.commit()
            return response.id

    def get(self, path: str, role: str = "read", **params: Any) -> Any:
        # Buffered: a streamed answer is read whole and closed, ending its transaction.
        return self.client.get(path, query_string=params, headers=self.keys.auth(role),
                               buffered=True)


def _stage(app: Flask) -> Stage:
    with app.app_context():
        keys = make_site(db.session)
        make_survey(db.session, keys.site_id)
    return Stage(app, keys, app.test_client())


@pytest.fixture
def stage(app: Flask) -> Stage:
    """On SQLite only, for behaviour that does not depend on the database."""
    return _stage(app)


@pytest.fixture
def any_stage(any_app: Flask) -> Stage:
    """On SQLite and PostgreSQL, for anything the database computes."""
    return _stage(any_app)


StageFactory = Callable[[Flask], Stage]
