"""Apps on each database with an injected clock, and workers bound to them."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from collector.core.extensions import db
from collector.delivery.worker import Worker
from tests.conftest import AppFactory, FakeClock


@pytest.fixture(params=["sqlite", "postgres"])
def clocked_app(request: pytest.FixtureRequest, make_app: AppFactory,
                clock: FakeClock) -> Flask:
    url = request.getfixturevalue(f"{request.param}_url")
    return make_app(url, CLOCK=clock)


@pytest.fixture
def make_worker(clock: FakeClock) -> Callable[..., Worker]:
    """A worker on the app's database."""

    def build(app: Flask, name: str = "w1", **options: Any) -> Worker:
        with app.app_context():
            maker = db.sessionmaker
        options.setdefault("rng", random.Random(8))
        return Worker(session_factory=maker, clock=clock, worker_id=name, **options)

    return build
