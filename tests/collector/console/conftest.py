"""Fixtures for the console's tests: a stage (tests/collector/conftest.py) and a client
signed in with a chosen key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from collector.core.clock import now
from tests.collector.conftest import Stage

SignIn = Callable[..., FlaskClient]


def signed_in(stage: Stage, role: str = "admin") -> FlaskClient:
    client = stage.app.test_client()
    answer = client.post("/console/sign-in", data={"key": getattr(stage.keys, role)})
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return client


@pytest.fixture
def sign_in(stage: Stage) -> SignIn:
    """A client signed in to the console on ``stage`` (SQLite) with a read or admin key."""
    return lambda role="admin": signed_in(stage, role)


def recent(stage: Stage, score: int, days_ago: float = 1, **fields: Any) -> int:
    """An answer ``days_ago`` days before now; returns its id."""
    return stage.add(score, at=now() - timedelta(days=days_ago), **fields)


def page(client: FlaskClient, path: str, **params: Any) -> str:
    answer = client.get(path, query_string=params) if params else client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)
