"""Apps with an injected clock, a site with a survey, and request helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from collector.core.extensions import db
from collector.delivery.jobs import run_due_jobs
from tests.conftest import AppFactory, FakeClock
from tests.factories import SiteKeys, make_site, make_survey


@dataclass
class World:
    app: Flask
    client: FlaskClient
    site: SiteKeys
    clock: FakeClock

    def post(self, path: str, body: dict[str, Any], role: str = "secret") -> Any:
        return self.client.post(path, json=body, headers=self.site.auth(role))

    def get(self, path: str, role: str = "secret") -> Any:
        return self.client.get(path, headers=self.site.auth(role))

    def eligibility(self, **body: Any) -> dict[str, Any]:
        response = self.post("/v1/eligibility", body, "publishable")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def trigger(self, **body: Any) -> dict[str, Any]:
        response = self.post("/v1/triggers", body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def ticket(self, **body: Any) -> dict[str, Any]:
        response = self.post("/v1/tickets", body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def survey(self, key: str, **config: Any) -> str:
        with self.app.app_context():
            return make_survey(db.session, self.site.site_id, key, **config)

    def run_jobs(self) -> int:
        with self.app.app_context():
            return run_due_jobs(db.session, self.clock())

    def counts(self, **query: str) -> dict[tuple[str, str], int]:
        args = "&".join(f"{k}={v}" for k, v in query.items())
        response = self.get(f"/v1/decisions?{args}", "read")
        assert response.status_code == 200, response.get_json()
        return {(row["survey"], row["reason"]): row["count"]
                for row in response.get_json()["data"]}


def build_world(make_app: AppFactory, url: str, clock: FakeClock, **settings: Any) -> World:
    app = make_app(url, CLOCK=clock)
    with app.app_context():
        site = make_site(db.session, **settings)
    return World(app, app.test_client(), site, clock)


@pytest.fixture
def world(make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> World:
    return build_world(make_app, sqlite_url, clock)


@pytest.fixture
def pg_world(make_app: AppFactory, postgres_url: str, clock: FakeClock) -> World:
    return build_world(make_app, postgres_url, clock)
