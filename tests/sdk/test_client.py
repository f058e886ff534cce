"""The client against a live collector: configuration, errors, request ids, lists, metrics."""

from __future__ import annotations

import importlib.metadata
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import tenpoint

from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.people.lookup import upsert_person
from collector.responses.recording import NewResponse, record_response
from tests.sdk.conftest import Collector
from tests.sdk.proxy import FaultProxy


def test_the_key_and_url_come_from_the_environment(
        monkeypatch: pytest.MonkeyPatch, collector: Collector) -> None:
    monkeypatch.setenv("TENPOINT_API_KEY", collector.site.secret)
    monkeypatch.setenv("TENPOINT_URL", collector.url)
    with tenpoint.Client() as client:
        assert client.metrics.nps()["total"] == 0


def test_the_old_key_variable_still_works_with_a_warning(
        monkeypatch: pytest.MonkeyPatch, collector: Collector) -> None:
    monkeypatch.setenv("TENPOINT_SECRET_KEY", collector.site.secret)
    monkeypatch.setenv("TENPOINT_URL", collector.url)
    with pytest.warns(FutureWarning, match="TENPOINT_API_KEY"), tenpoint.Client() as client:
        assert client.metrics.nps()["total"] == 0


def test_a_collector_signing_secret_under_the_old_name_is_not_taken_for_a_key(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENPOINT_SECRET_KEY", "a-collector-signing-secret")
    with pytest.raises(tenpoint.ConfigurationError, match="TENPOINT_API_KEY"):
        tenpoint.Client(base_url="http://127.0.0.1:1")


def test_a_missing_key_fails_at_construction_with_a_clear_message() -> None:
    with pytest.raises(tenpoint.ConfigurationError, match="TENPOINT_API_KEY"):
        tenpoint.Client(base_url="http://127.0.0.1:1")


def test_a_missing_url_fails_at_construction() -> None:
    with pytest.raises(tenpoint.ConfigurationError, match="TENPOINT_URL"):
        tenpoint.Client("sk_test")


def test_a_publishable_key_is_refused_at_construction() -> None:
    with pytest.raises(tenpoint.ConfigurationError, match="publishable"):
        tenpoint.Client("pk_test", base_url="http://127.0.0.1:1")


def test_a_response_is_recorded_and_listed(sdk: tenpoint.Client) -> None:
    stored = sdk.responses.create("nps", 9, comment="Great support", user_id="u-1")
    assert stored["score"] == 9 and stored["category"] == "promoter"
    listed = list(sdk.responses.list(survey="nps"))
    assert [item["id"] for item in listed] == [stored["id"]]


def test_listing_pages_through_every_response(sdk: tenpoint.Client,
                                              collector: Collector) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    with collector.app.app_context():
        survey = find_survey(db.session, collector.site.site_id, "nps")
        for index in range(7):
            moment = start + timedelta(minutes=index)
            person = upsert_person(db.session, collector.site.site_id, moment,
                                   user_id=f"u-{index}")
            record_response(db.session, survey, person,
                            NewResponse(score=index, channel="api"), moment)
        db.session.commit()
    responses = sdk.responses.list(limit=3)
    scores = [item["score"] for item in responses]
    assert scores == [6, 5, 4, 3, 2, 1, 0]
    assert responses.pages_fetched == 3


def test_the_nps_metric_counts_recorded_answers(sdk: tenpoint.Client) -> None:
    for score in (10, 9, 3):
        sdk.responses.create("nps", score)
    nps = sdk.metrics.nps(survey="nps")
    assert nps["total"] == 3
    assert nps["promoters"] == 2 and nps["detractors"] == 1


def test_an_unknown_key_raises_authentication_error_with_code_and_request_id(
        make_client: Callable[..., tenpoint.Client]) -> None:
    client = make_client(secret_key="sk_" + "x" * 40)
    with pytest.raises(tenpoint.AuthenticationError) as raised:
        client.metrics.nps()
    assert raised.value.status == 401
    assert raised.value.code == "invalid_api_key"
    assert raised.value.request_id and raised.value.request_id.startswith("req_")
    assert raised.value.request_id in str(raised.value)


def test_a_read_key_cannot_write(make_client: Callable[..., tenpoint.Client],
                                 collector: Collector) -> None:
    client = make_client(secret_key=collector.site.read)
    with pytest.raises(tenpoint.PermissionDeniedError) as raised:
        client.responses.create("nps", 7)
    assert raised.value.status == 403
    assert raised.value.code == "wrong_key_role"


def test_an_unknown_survey_raises_not_found(sdk: tenpoint.Client) -> None:
    with pytest.raises(tenpoint.NotFoundError) as raised:
        sdk.responses.create("no-such-survey", 7)
    assert raised.value.code == "survey_not_found"


def test_invalid_input_raises_validation_error_with_each_field(sdk: tenpoint.Client) -> None:
    with pytest.raises(tenpoint.ValidationError) as raised:
        sdk.responses.create("nps", 11, email="not-an-email")
    assert raised.value.status == 422
    assert raised.value.code == "validation_failed"
    assert set(raised.value.fields) == {"score", "email"}


def test_a_reused_idempotency_key_with_another_body_raises_conflict(
        sdk: tenpoint.Client) -> None:
    sdk.responses.create("nps", 8, idempotency_key="import-row-1")
    with pytest.raises(tenpoint.ConflictError) as raised:
        sdk.responses.create("nps", 2, idempotency_key="import-row-1")
    assert raised.value.code == "idempotency_key_reused"


def test_the_same_idempotency_key_replays_instead_of_storing_twice(
        sdk: tenpoint.Client, collector: Collector) -> None:
    first = sdk.responses.create("nps", 8, idempotency_key="import-row-2")
    second = sdk.responses.create("nps", 8, idempotency_key="import-row-2")
    assert first == second
    assert collector.stored_responses() == 1


def test_every_post_carries_an_idempotency_key_and_every_request_a_user_agent(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy) -> None:
    client = make_client(base_url=proxy.url)
    client.responses.create("nps", 8)
    client.responses.create("nps", 9)
    client.metrics.nps()
    posts = [headers for method, _, headers in proxy.seen if method == "POST"]
    keys = [headers.get("Idempotency-Key") for headers in posts]
    assert all(keys) and len(set(keys)) == 2
    # The version is the installed distribution's: one source, tenpoint/_version.py.
    agent = f"tenpoint-python/{importlib.metadata.version('tenpoint')} "
    assert all(headers["User-Agent"].startswith(agent) for _, _, headers in proxy.seen)
    get = next(headers for method, _, headers in proxy.seen if method == "GET")
    assert "Idempotency-Key" not in get


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_collector_raises_connection_error_after_the_retries() -> None:
    client = tenpoint.Client("sk_test", base_url=f"http://127.0.0.1:{_closed_port()}",
                             max_retries=1, timeout=2)
    with pytest.raises(tenpoint.APIConnectionError) as raised:
        client.metrics.nps()
    assert raised.value.status is None
    assert "127.0.0.1" in raised.value.message
