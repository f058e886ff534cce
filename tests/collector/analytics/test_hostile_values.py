"""A hostile ``value`` (the weight of weighted NPS) cannot break a site's metrics: the API
bounds it, and the figures stay sound for a row stored before the bound."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from collector.analytics.rollup_builder import refresh_rollup
from collector.core.extensions import db
from collector.core.validation import MAX_VALUE
from collector.models import Response
from tests.collector.conftest import START, Stage
from tests.factories import ORIGIN


@pytest.mark.parametrize("value", [1e308, MAX_VALUE * 2, -1, "1e999", "NaN", "Infinity"])
def test_a_publishable_key_cannot_send_a_value_out_of_range(stage: Stage, value: object) -> None:
    body = f'{{"survey": "nps", "score": 9, "value": {value}}}'
    reply = stage.client.post(f"/v1/responses?key={stage.keys.publishable}", data=body,
                              headers={"Content-Type": "text/plain", "Origin": ORIGIN})
    assert reply.status_code == 422, reply.json
    assert reply.json["error"]["field"] == "value"


def test_the_largest_value_is_accepted(stage: Stage) -> None:
    reply = stage.client.post("/v1/responses", json={"survey": "nps", "score": 9,
                                                     "value": MAX_VALUE},
                              headers=stage.keys.auth("secret"))
    assert reply.status_code == 201


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/people", {"user_id": "u-1", "email": "u@example.com"}),
    ("/v1/triggers", {"survey": "nps", "user_id": "u-1", "email": "u@example.com"}),
])
def test_people_and_triggers_bound_the_value_too(stage: Stage, path: str,
                                                 body: dict[str, str]) -> None:
    reply = stage.client.post(path, data=json.dumps({**body, "value": 1e300}),
                              headers={**stage.keys.auth("secret"),
                                       "Content-Type": "application/json"})
    assert reply.status_code == 422
    assert reply.json["error"]["fields"].keys() == {"value"}


def test_a_huge_stored_value_cannot_break_metrics(any_stage: Stage) -> None:
    """A row stored before the bound (or by hand) weighs as the largest accepted value: no
    overflow of the sum of squares on PostgreSQL, and both roll-up and raw figures agree."""
    hostile = any_stage.add(0, value=1.0)
    any_stage.add(10, value=MAX_VALUE)
    with any_stage.app.app_context():
        db.session.execute(update(Response).where(Response.id == hostile).values(value=1e300))
        db.session.commit()
    raw = any_stage.get("/v1/metrics/nps", weight="value")
    assert raw.status_code == 200, raw.json
    assert raw.json["nps"] == pytest.approx(0.0)
    assert raw.json["effective_n"] == pytest.approx(2.0)
    with any_stage.app.app_context():
        refresh_rollup(db.session, START, settled=True)
        db.session.commit()
    rolled = any_stage.get("/v1/metrics/nps", weight="value")
    assert rolled.status_code == 200
    assert rolled.json["nps"] == pytest.approx(0.0)
