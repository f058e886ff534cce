"""Background mode: calls return at once, a worker thread delivers them, fork is survived."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable

import pytest
import tenpoint

from tests.sdk.conftest import Collector
from tests.sdk.proxy import FaultProxy


def test_a_queued_call_is_delivered_by_flush(
        make_client: Callable[..., tenpoint.Client], collector: Collector) -> None:
    client = make_client(background=True)
    assert client.responses.create("nps", 10, comment="queued") is True
    assert client.flush(timeout=10) is True
    assert collector.stored_responses() == 1


def test_a_full_queue_returns_false_and_never_blocks(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy,
        collector: Collector) -> None:
    proxy.script(["hold"])
    client = make_client(base_url=proxy.url, background=True, queue_size=2)
    assert client.responses.create("nps", 1) is True
    assert proxy.holding.wait(10)  # the worker is now stuck on the first call
    outcomes = [client.responses.create("nps", score) for score in (2, 3, 4, 5)]
    assert outcomes == [True, True, False, False]
    proxy.release.set()
    assert client.flush(timeout=10)
    assert collector.stored_responses() == 3


def test_a_failing_call_is_dropped_and_the_worker_carries_on(
        make_client: Callable[..., tenpoint.Client], collector: Collector) -> None:
    client = make_client(background=True)
    assert client.responses.create("no-such-survey", 5) is True
    assert client.responses.create("nps", 6) is True
    assert client.flush(timeout=10)
    assert collector.stored_responses() == 1


def test_background_calls_are_retried_with_the_same_idempotency_key(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy,
        collector: Collector) -> None:
    proxy.script(["503", "drop_after_commit"])
    client = make_client(base_url=proxy.url, background=True)
    assert client.responses.create("nps", 8) is True
    assert client.flush(timeout=20)
    assert collector.stored_responses() == 1
    keys = {headers["Idempotency-Key"] for method, _, headers in proxy.seen if method == "POST"}
    assert len(proxy.seen) == 3 and len(keys) == 1


def test_flush_times_out_while_the_collector_has_not_answered(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy) -> None:
    proxy.script(["hold"])
    client = make_client(base_url=proxy.url, background=True)
    client.responses.create("nps", 8)
    assert proxy.holding.wait(10)
    assert client.flush(timeout=0.05) is False
    proxy.release.set()
    assert client.flush(timeout=10) is True


def test_after_close_calls_are_refused_not_raised(
        make_client: Callable[..., tenpoint.Client], collector: Collector) -> None:
    client = make_client(background=True)
    client.responses.create("nps", 9)
    assert client.close(timeout=10)
    assert client.responses.create("nps", 9) is False
    assert collector.stored_responses() == 1


def test_reads_answer_synchronously_in_background_mode(
        make_client: Callable[..., tenpoint.Client]) -> None:
    client = make_client(background=True)
    assert client.metrics.nps()["total"] == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_delivers_its_own_calls(
        make_client: Callable[..., tenpoint.Client], proxy: FaultProxy,
        collector: Collector) -> None:
    client = make_client(base_url=proxy.url, background=True)
    # The parent's worker is busy on a call when the process forks.
    proxy.script(["hold"])
    assert client.responses.create("nps", 1, comment="parent")
    assert proxy.holding.wait(10)
    pid = os.fork()
    if pid == 0:  # the child: a fresh queue and thread; the parent's call is not resent
        status = 1
        try:
            queued = client.responses.create("nps", 2, comment="child")
            status = 0 if queued and client.flush(timeout=10) else 1
        finally:
            os._exit(status)
    proxy.release.set()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert client.flush(timeout=10)
    comments = sorted(item["comment"] for item in client.responses.list())
    assert comments == ["child", "parent"]


def test_pending_calls_are_delivered_at_interpreter_exit(collector: Collector) -> None:
    script = (
        "import tenpoint, sys\n"
        "client = tenpoint.Client(sys.argv[1], base_url=sys.argv[2], background=True)\n"
        "assert client.responses.create('nps', 7, comment='at exit')\n"
    )
    result = subprocess.run([sys.executable, "-c", script, collector.site.secret,
                             collector.url], capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert collector.stored_responses() == 1


def test_an_unreachable_collector_never_raises_into_the_caller() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = tenpoint.Client("sk_test", base_url=f"http://127.0.0.1:{port}", max_retries=0,
                             background=True)
    assert client.trigger("nps", user_id="u-1", channel="link") is True
    assert client.flush(timeout=10) is True
    assert client.close(timeout=10) is True
