"""``tenpoint serve`` as deployed: real gunicorn on a port of 5210-5219 against a temporary
SQLite. Slow clients cannot stall it, and its access log shows key prefixes only."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from collector.core.extensions import db
from tests.factories import SiteKeys, make_site, make_survey

PORTS = range(5210, 5220)


@dataclass
class Served:
    url: str
    port: int
    log: Path


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 5210-5219")


def _get(url: str, timeout: float, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.fixture
def serve(sqlite_url: str, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(**settings: str) -> Served:
        port = _free_port()
        log = tmp_path / f"serve-{port}.log"
        env = {**os.environ, "TENPOINT_DATABASE_URL": sqlite_url, "TENPOINT_PORT": str(port),
               "TENPOINT_SECRET_KEY": "serve-test", **settings}
        with log.open("wb") as out:
            process = subprocess.Popen([str(Path(sys.executable).parent / "tenpoint"), "serve"],
                                       env=env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _get(f"{url}/healthz", 1) == 200:
                    return Served(url, port, log)
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"tenpoint serve did not start:\n{log.read_text()}")

    yield start
    for process in processes:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _slow_client(port: int) -> socket.socket:
    """Declares a 1,000-byte body, sends one byte and holds the socket."""
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    client.sendall(b"POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
    return client


def _read_to_close(client: socket.socket) -> bytes:
    answer = b""
    while chunk := client.recv(4096):
        answer += chunk
    return answer


def test_slow_clients_cannot_stall_healthz(serve: Callable[..., Served]) -> None:
    served = serve()  # the defaults: 2 workers x 8 threads, 10 s body deadline
    held = [_slow_client(served.port) for _ in range(6)]
    try:
        time.sleep(0.5)  # every slow client is inside a worker by now
        for _ in range(5):
            assert _get(f"{served.url}/healthz", timeout=3) == 200
    finally:
        for client in held:
            client.close()


def test_a_slow_body_gets_a_408_at_the_deadline_and_frees_its_thread(
    serve: Callable[..., Served]
) -> None:
    served = serve(TENPOINT_WORKERS="1", TENPOINT_THREADS="2",
                   TENPOINT_BODY_TIMEOUT_SECONDS="1")
    held = [_slow_client(served.port) for _ in range(2)]
    try:
        answers = [_read_to_close(client) for client in held]  # within the socket timeout
        for answer in answers:
            assert answer.startswith(b"HTTP/1.1 408")
            assert b'"code": "request_timeout"' in answer
        # Each thread is back once gunicorn's graceful close (at most 2 s) is done.
        assert _get(f"{served.url}/healthz", timeout=10) == 200
    finally:
        for client in held:
            client.close()


def test_the_access_log_shows_key_prefixes_only(
    app: Flask, sqlite_url: str, serve: Callable[..., Served]
) -> None:
    with app.app_context():
        keys: SiteKeys = make_site(db.session)
        make_survey(db.session, keys.site_id)
    served = serve()
    basic = base64.b64encode(f"{keys.secret}:".encode()).decode()
    assert _get(f"{served.url}/delighted/v1/metrics.json", 5,
                {"Authorization": f"Basic {basic}"}) == 200
    assert _get(f"{served.url}/v1/responses?key={keys.secret}&limit=1", 5) == 401
    time.sleep(0.3)
    log = served.log.read_text()
    assert keys.secret not in log
    assert keys.secret[:10] in log
    assert "/delighted/v1/metrics.json" in log
