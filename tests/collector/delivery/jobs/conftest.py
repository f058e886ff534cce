from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from collector.core.extensions import db
from collector.delivery.worker import Worker


@pytest.fixture
def make_worker() -> Callable[..., Worker]:
    """A worker on the app's database; call it inside the app context."""

    def build(app: Flask, clock: Callable[[], Any], name: str = "w1", **options: Any) -> Worker:
        with app.app_context():
            maker = db.sessionmaker
        options.setdefault("rng", random.Random(8))
        return Worker(session_factory=maker, clock=clock, worker_id=name, **options)

    return build
