"""Every collector answer carries an X-Request-Id the SDK can report
(collector/core/request_ids.py)."""

from __future__ import annotations

import os

from flask.testing import FlaskClient

from collector.core.request_ids import new_request_id
from tests.factories import SiteKeys


def test_a_request_id_is_generated_for_every_answer(client: FlaskClient, site: SiteKeys) -> None:
    first = client.get("/v1/metrics/nps", headers=site.auth())
    second = client.get("/v1/metrics/nps", headers=site.auth())
    assert first.headers["X-Request-Id"].startswith("req_")
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_error_answers_carry_it_too(client: FlaskClient) -> None:
    answer = client.get("/v1/metrics/nps")
    assert answer.status_code == 401
    assert answer.headers["X-Request-Id"].startswith("req_")


def test_the_callers_own_request_id_is_kept(client: FlaskClient, site: SiteKeys) -> None:
    answer = client.get("/v1/metrics/nps", headers={**site.auth(), "X-Request-Id": "lb-7f3a.1"})
    assert answer.headers["X-Request-Id"] == "lb-7f3a.1"


def test_an_unsafe_request_id_is_replaced(client: FlaskClient, site: SiteKeys) -> None:
    answer = client.get("/v1/metrics/nps",
                        headers={**site.auth(), "X-Request-Id": "x" * 300})
    assert answer.headers["X-Request-Id"].startswith("req_")


def test_generated_ids_differ_across_forked_workers() -> None:
    # gunicorn forks its workers from one master: each must draw its own prefix, or two
    # workers would hand out the same ids.
    here = [new_request_id() for _ in range(3)]
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.write(writer, new_request_id().encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    there = os.read(reader, 100).decode()
    os.close(reader)
    assert len(set(here)) == 3 and all(len(rid) == len("req_") + 24 for rid in here)
    assert there.startswith("req_") and there[:16] != here[0][:16]
