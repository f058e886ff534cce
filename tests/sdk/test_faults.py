"""Retries through a misbehaving proxy: the collector stores each call exactly once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import tenpoint

from tests.sdk.conftest import Collector
from tests.sdk.proxy import FaultProxy


def _post_keys(proxy: FaultProxy) -> list[str]:
    return [headers["Idempotency-Key"] for method, _, headers in proxy.seen if method == "POST"]


def test_two_503s_then_success_store_one_response(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy,
        collector: Collector) -> None:
    proxy.script(["503", "503"])
    client = make_client(base_url=proxy.url)
    stored = client.responses.create("nps", 9)
    assert stored["score"] == 9
    assert collector.stored_responses() == 1
    keys = _post_keys(proxy)
    assert len(keys) == 3 and len(set(keys)) == 1


def test_a_reply_lost_after_the_commit_is_replayed_not_duplicated(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy,
        collector: Collector) -> None:
    proxy.script(["drop_after_commit"])
    client = make_client(base_url=proxy.url)
    stored = client.responses.create("nps", 4, comment="slow")
    assert collector.stored_responses() == 1
    assert [item["id"] for item in client.responses.list()] == [stored["id"]]
    keys = _post_keys(proxy)
    assert len(keys) == 2 and len(set(keys)) == 1


def test_retries_give_up_after_max_retries_with_the_last_error(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy,
        collector: Collector) -> None:
    proxy.script(["503", "503", "503"])
    client = make_client(base_url=proxy.url, max_retries=2)
    with pytest.raises(tenpoint.APIStatusError) as raised:
        client.responses.create("nps", 9)
    assert raised.value.status == 503
    assert len(proxy.seen) == 3
    assert collector.stored_responses() == 0


def test_client_errors_are_not_retried(make_client: Callable[..., tenpoint.Client],
                                       proxy: FaultProxy) -> None:
    client = make_client(base_url=proxy.url)
    with pytest.raises(tenpoint.ValidationError):
        client.responses.create("nps", 42)
    assert len(proxy.seen) == 1


def test_a_429_is_retried_after_retry_after_then_raised_with_it(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy) -> None:
    proxy.script(["429:1", "429:1"])
    client = make_client(base_url=proxy.url, max_retries=1)
    with pytest.raises(tenpoint.RateLimitError) as raised:
        client.metrics.nps()
    assert raised.value.retry_after == 1
    assert raised.value.code == "rate_limited"
    assert len(proxy.seen) == 2


def test_a_429_then_success_answers(make_client: Callable[..., tenpoint.Client],
                                    proxy: FaultProxy) -> None:
    proxy.script(["429:0"])
    client = make_client(base_url=proxy.url)
    assert client.metrics.nps()["total"] == 0
    assert len(proxy.seen) == 2
