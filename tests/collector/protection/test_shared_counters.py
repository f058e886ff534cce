"""Without Redis, the worker processes of one collector share one rate count through a small
SQLite file: ``ip=30/minute`` means 30 for the collector, not 30 per worker (issue 22)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from collector.protection.gcra import MemoryCounters
from collector.protection.rate_limits import FallbackLimiter, shared_file
from collector.protection.shared_counters import SharedFileCounters
from tests.collector.protection.conftest import world
from tests.factories import Ticking

# 30 an hour: one more every 2 minutes, so no refill lands while the workers run, however
# busy the machine (30 a minute refilled one every 2 s, and a loaded CI machine got 32).
IP_LIMIT = (30, 3600.0, "submit:ip:203.0.113.7:30/3600")


def _worker(path: str, tries: int, start, results) -> None:
    try:
        counters = SharedFileCounters(path)
        start.wait()
        results.put(sum(counters.hit_all([IP_LIMIT])[0].allowed for _ in range(tries)))
    except Exception as error:  # noqa: BLE001 - reported to the test instead of a silent hang
        results.put(repr(error))


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_in_separate_processes_share_one_ip_limit(tmp_path: Path, workers: int) -> None:
    path = str(tmp_path / "ratelimit.sqlite")
    SharedFileCounters(path).hit_all([])  # the file exists, as after a collector's first request
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=_worker, args=(path, 40, start, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    start.set()
    answers = [results.get(timeout=60) for _ in processes]
    assert all(isinstance(answer, int) for answer in answers), answers
    allowed = sum(answers)
    for process in processes:
        process.join(timeout=60)
    # Per process, each would have allowed 30 (60 or 120 in all); together exactly 30.
    assert allowed == 30


def test_the_file_judges_like_memory() -> None:
    clock = Ticking(1_800_000_000.0)
    hits = [(3, 60.0, "key:a"), (5, 60.0, "site:1")]
    in_memory = MemoryCounters(clock)
    with_file = SharedFileCounters(":memory:", clock)
    for step in range(6):
        clock.now += 7.0 * step
        assert [tuple(v) for v in with_file.hit_all(hits)] == \
            [tuple(v) for v in in_memory.hit_all(hits)]


def test_two_workers_of_one_collector_enforce_one_limit(protected, tmp_path: Path) -> None:
    settings = {"RATE_LIMIT_ENABLED": True, "RATE_LIMIT_ADMIN": "key=4/minute",
                "RATE_LIMIT_FILE": str(tmp_path / "shared.sqlite")}
    first = world(protected(**settings))
    second = protected(**settings)  # another worker: its own process memory, the same file
    clients = [first.app.test_client(), second.test_client()]
    statuses = [clients[i % 2].get("/v1/surveys", headers=first.keys.auth()).status_code
                for i in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_memory_counts_each_worker_alone(protected) -> None:
    settings = {"RATE_LIMIT_ENABLED": True, "RATE_LIMIT_ADMIN": "key=4/minute",
                "RATE_LIMIT_FILE": "memory"}
    first = world(protected(**settings))
    second = protected(**settings)
    clients = [first.app.test_client(), second.test_client()]
    statuses = [clients[i % 2].get("/v1/surveys", headers=first.keys.auth()).status_code
                for i in range(10)]
    assert statuses.count(200) == 8  # the bound: the limit times the workers


def test_an_unusable_file_falls_back_to_process_memory_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    limiter = FallbackLimiter(None, "p", 30, shared_file=str(tmp_path / "missing" / "x.db"))
    verdicts = [limiter.hit_all([(2, 60.0, "ip:a")])[0].allowed for _ in range(3)]
    assert verdicts == [True, True, False]
    assert "unusable" in caplog.text


def test_auto_names_one_file_per_collector() -> None:
    one = {"RATE_LIMIT_FILE": "auto", "RATE_LIMIT_PREFIX": "tenpoint",
           "DATABASE_URL": "postgresql://db/a"}
    assert shared_file(one) == shared_file(dict(one))
    assert shared_file(one) != shared_file({**one, "DATABASE_URL": "postgresql://db/b"})
    assert shared_file({**one, "RATE_LIMIT_FILE": "memory"}) is None
    assert shared_file({**one, "RATE_LIMIT_FILE": "/run/tp.sqlite"}) == "/run/tp.sqlite"
