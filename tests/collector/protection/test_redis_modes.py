"""Shared rate-limit counters on a Sentinel-watched master and on a Redis Cluster, with real
private servers (ports 5320-5324), and the URLs ``TENPOINT_REDIS_URL`` accepts."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from redis.cluster import RedisCluster

from collector.core.redis_urls import RedisURLError, parse_redis_url
from collector.protection.rate_limits import FallbackLimiter, RateLimitConfigError
from tests.collector.protection.conftest import world
from tests.conftest import service_missing

SENTINEL_MASTER, SENTINEL_PORT = 5320, 5321
CLUSTER_PORTS = (5322, 5323, 5324)


def _server(workdir: Path, port: int, *extra: str,
            config: Path | None = None) -> subprocess.Popen[bytes]:
    if shutil.which("redis-server") is None:
        service_missing("redis", "redis-server is not installed")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:  # never test someone else's server
            service_missing("redis", f"port {port} is taken")
    workdir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        ["redis-server", *([str(config)] if config else []), "--port", str(port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir),
         *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    for _ in range(100):
        if process.poll() is not None:
            service_missing("redis", f"private redis-server on port {port} exited")
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    service_missing("redis", f"private redis-server on port {port} did not start")
    raise AssertionError  # unreachable


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait(timeout=10)


class SentinelSetup:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.master = _server(workdir / "master", SENTINEL_MASTER)
        config = workdir / "sentinel.conf"
        # A long down-after: the restart test brings the master back before the sentinel
        # would call it down (with no replica there is nothing to fail over to).
        config.write_text(f"sentinel monitor tpmaster 127.0.0.1 {SENTINEL_MASTER} 1\n"
                          "sentinel down-after-milliseconds tpmaster 60000\n")
        self.sentinel = _server(workdir / "sentinel", SENTINEL_PORT, "--sentinel", config=config)
        self.url = f"redis+sentinel://127.0.0.1:{SENTINEL_PORT}/tpmaster/0"

    def restart_master(self) -> None:
        _stop(self.master)
        self.master = _server(self.workdir / "master", SENTINEL_MASTER)

    def close(self) -> None:
        _stop(self.sentinel)
        _stop(self.master)


@pytest.fixture
def sentinel(tmp_path: Path) -> Iterator[SentinelSetup]:
    setup = SentinelSetup(tmp_path)
    yield setup
    setup.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("cluster")
    processes = [_server(workdir / str(port), port, "--cluster-enabled", "yes",
                         "--cluster-config-file", f"nodes-{port}.conf",
                         "--cluster-node-timeout", "5000") for port in CLUSTER_PORTS]
    try:
        created = subprocess.run(
            ["redis-cli", "--cluster", "create",
             *[f"127.0.0.1:{port}" for port in CLUSTER_PORTS], "--cluster-yes"],
            capture_output=True, text=True, timeout=60, check=False)
        assert created.returncode == 0, created.stdout + created.stderr
        for _ in range(200):
            if all(redis.Redis(port=port).cluster("info").get("cluster_state") == "ok"
                   for port in CLUSTER_PORTS):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the private cluster never reached cluster_state:ok")
        yield ",".join(f"127.0.0.1:{port}" for port in CLUSTER_PORTS)
    finally:
        for process in processes:
            _stop(process)


def _hits(limiter: FallbackLimiter, counters: list[str], amount: int = 3) -> list[bool]:
    return [verdict.allowed for verdict in limiter.hit_all([(amount, 60, c) for c in counters])]


@pytest.mark.redis
def test_two_collectors_share_one_limit_through_a_sentinel_and_outlive_a_master_restart(
        protected, sentinel: SentinelSetup, sqlite_url: str,
        caplog: pytest.LogCaptureFixture) -> None:
    prefix = f"tptest-{uuid.uuid4().hex}"
    settings = {"RATE_LIMIT_ENABLED": True, "RATE_LIMIT_ADMIN": "key=4/minute",
                "REDIS_URL": sentinel.url, "RATE_LIMIT_PREFIX": prefix,
                "RATE_LIMIT_REDIS_RETRY": 0}
    first = world(protected(**settings))
    second = protected(**settings)
    clients = [first.app.test_client(), second.test_client()]

    def statuses(count: int) -> list[int]:
        return [clients[i % 2].get("/v1/surveys", headers=first.keys.auth()).status_code
                for i in range(count)]

    assert statuses(6) == [200, 200, 200, 200, 429, 429]
    master = redis.Redis(port=SENTINEL_MASTER)
    assert master.keys(f"{prefix}:*")

    sentinel.restart_master()  # an empty master: nothing was saved
    with caplog.at_level(logging.WARNING, logger="collector.protection.rate_limits"):
        after = statuses(6)
    # Back on the (re-resolved) master, counting from zero, shared by both again.
    assert after == [200, 200, 200, 200, 429, 429]
    assert redis.Redis(port=SENTINEL_MASTER).keys(f"{prefix}:*")


@pytest.mark.redis
def test_a_sentinel_whose_master_is_gone_falls_back_and_comes_back(
        sentinel: SentinelSetup, caplog: pytest.LogCaptureFixture) -> None:
    limiter = FallbackLimiter(sentinel.url, f"tptest-{uuid.uuid4().hex}", retry_seconds=0)
    assert _hits(limiter, ["admin:key:a"]) == [True]
    _stop(sentinel.master)
    with caplog.at_level(logging.WARNING, logger="collector.protection.rate_limits"):
        # Memory counts from zero: three pass, then this process's own limit holds.
        assert [_hits(limiter, ["admin:key:a"])[0] for _ in range(4)] == [True] * 3 + [False]
    assert limiter.degraded
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1
    sentinel.master = _server(sentinel.workdir / "master", SENTINEL_MASTER)
    assert _hits(limiter, ["admin:key:a"]) == [True]
    assert not limiter.degraded


@pytest.mark.redis
def test_two_limiters_share_counts_on_a_cluster_and_a_requests_counters_share_a_slot(
        cluster: str) -> None:
    prefix = f"tptest-{uuid.uuid4().hex}"
    url = f"redis+cluster://{cluster}"
    first, second = FallbackLimiter(url, prefix, 30), FallbackLimiter(url, prefix, 30)
    request = ["eligibility:ip:203.0.113.9", "eligibility:fingerprint:f00d",
               "eligibility:key:beef"]
    allowed = [_hits((first, second)[i % 2], request, amount=3) for i in range(4)]
    # The first counter refuses the fourth request, so the script stops there.
    assert allowed == [[True] * 3, [True] * 3, [True] * 3, [False]]
    assert not first.degraded and not second.degraded

    client = RedisCluster(host="127.0.0.1", port=CLUSTER_PORTS[0])
    keys = [first.redis_key(counter) for counter in request]
    assert all(client.exists(key) for key in keys)
    assert len({client.keyslot(key) for key in keys}) == 1
    # Other categories carry their own tag, so they may live on other nodes.
    assert first.redis_key("submit:ip:203.0.113.9").startswith(f"{{{prefix}:submit}}:")


@pytest.mark.parametrize("url", ["redis+cluster://127.0.0.1:5329",
                                 "redis+sentinel://127.0.0.1:5329/nobody",
                                 "redis+unix:///nonexistent/redis.sock"])
def test_a_redis_nobody_answers_falls_back_without_raising(
        url: str, caplog: pytest.LogCaptureFixture) -> None:
    limiter = FallbackLimiter(url, "tptest", retry_seconds=30)
    with caplog.at_level(logging.WARNING, logger="collector.protection.rate_limits"):
        assert [_hits(limiter, ["submit:ip:x"], amount=2)[0] for _ in range(3)] == \
            [True, True, False]
    assert limiter.degraded
    assert len([r for r in caplog.records if "unreachable" in r.getMessage()]) == 1


@pytest.mark.parametrize("url", [
    "memcached://127.0.0.1:11211", "redis+cluster://127.0.0.1", "redis+sentinel://h:26379",
    "redis+sentinel://h:26379/svc/zero", "redis+cluster://h:7000/0", "127.0.0.1:6379"])
def test_a_wrong_redis_url_is_refused_at_start_naming_the_accepted_schemes(
        protected, url: str) -> None:
    with pytest.raises(RateLimitConfigError) as refused:
        protected(REDIS_URL=url)
    for scheme in ("redis://", "rediss://", "redis+unix://", "redis+sentinel://",
                   "redis+cluster://"):
        assert scheme in str(refused.value)


def test_sentinel_and_cluster_urls_are_read_as_the_limits_library_writes_them() -> None:
    sentinel = parse_redis_url("redis+sentinel://:s%40cret@a:26379,b:26380/mymaster/2")
    assert (sentinel.mode, sentinel.hosts, sentinel.service, sentinel.db,
            sentinel.password) == ("sentinel", (("a", 26379), ("b", 26380)), "mymaster", 2,
                                   "s@cret")
    assert parse_redis_url("redis+sentinel://a:26379/mymaster").db == 0
    cluster = parse_redis_url("redis+cluster://a:7000,b:7001")
    assert (cluster.mode, cluster.hosts, cluster.password) == \
        ("cluster", (("a", 7000), ("b", 7001)), None)
    assert parse_redis_url("redis+unix:///run/redis.sock?db=1").mode == "single"
    with pytest.raises(RedisURLError) as refused:
        parse_redis_url("redis+sentinel://:secret@a/x")
    assert "secret" not in str(refused.value)


@pytest.mark.redis
@pytest.mark.slow
def test_counting_follows_a_sentinel_failover_to_the_promoted_replica(tmp_path: Path) -> None:
    master_port, replica_port, sentinel_port = 5325, 5326, 5327
    master = _server(tmp_path / "master", master_port)
    replica = _server(tmp_path / "replica", replica_port, "--replicaof", "127.0.0.1",
                      str(master_port))
    processes = [master, replica]
    try:
        assert _until(lambda: redis.Redis(port=replica_port).info("replication")
                      .get("master_link_status") == "up")
        config = tmp_path / "sentinel.conf"
        config.write_text(f"sentinel monitor tpfail 127.0.0.1 {master_port} 1\n"
                          "sentinel down-after-milliseconds tpfail 500\n"
                          "sentinel failover-timeout tpfail 3000\n")
        processes.append(_server(tmp_path / "sentinel", sentinel_port, "--sentinel",
                                 config=config))
        watcher = redis.Redis(port=sentinel_port)
        assert _until(lambda: len(watcher.sentinel_slaves("tpfail")) == 1)

        limiter = FallbackLimiter(f"redis+sentinel://127.0.0.1:{sentinel_port}/tpfail",
                                  f"tptest-{uuid.uuid4().hex}", retry_seconds=0)
        assert [_hits(limiter, ["admin:key:a"])[0] for _ in range(2)] == [True, True]
        counter = limiter.redis_key("admin:key:a")
        replicated = redis.Redis(port=master_port).get(counter)
        assert _until(lambda: redis.Redis(port=replica_port).get(counter) == replicated)

        _stop(master)
        processes.remove(master)
        assert _until(lambda: watcher.sentinel_get_master_addr_by_name("tpfail")[1]
                      == replica_port, seconds=30)
        # The promoted replica carries the count on: the third hit passes, the fourth not.
        assert _until(lambda: _hits(limiter, ["admin:key:a"]) == [True] and
                      not limiter.degraded)
        assert _hits(limiter, ["admin:key:a"]) == [False]
        assert redis.Redis(port=replica_port).info("replication")["role"] == "master"
    finally:
        for process in processes:
            _stop(process)


def _until(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except redis.RedisError:
            pass
        time.sleep(0.1)
    return False
