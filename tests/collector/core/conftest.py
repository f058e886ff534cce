"""The eligibility tests' world (a site, a survey, request helpers), reused here."""

from __future__ import annotations

import pytest

from tests.collector.eligibility.conftest import World, build_world
from tests.conftest import AppFactory, FakeClock


@pytest.fixture
def world(make_app: AppFactory, sqlite_url: str, clock: FakeClock) -> World:
    return build_world(make_app, sqlite_url, clock)
