"""Apps with protection switched on (test apps have it off by default), and a private Redis
server a test may kill without touching the shared one."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from collector.core.extensions import db
from tests.factories import SiteKeys, make_site, make_survey

BROWSER_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")
ORIGIN = "https://app.example.com"


@pytest.fixture
def protected(make_app: Callable[..., Flask], sqlite_url: str) -> Callable[..., Flask]:
    """Build an app with bot verdicts on and rate limits as given (off unless passed)."""

    def build(**config: Any) -> Flask:
        settings: dict[str, Any] = {"BOT_VERDICTS": True, "RATE_LIMIT_ENABLED": False,
                                    "RATE_LIMIT_PREFIX": f"tptest-{uuid.uuid4().hex}"}
        settings.update(config)
        return make_app(settings.pop("DATABASE_URL", sqlite_url), **settings)

    return build


@dataclass
class World:
    app: Flask
    keys: SiteKeys
    survey: str


def world(app: Flask, **site_settings: Any) -> World:
    with app.app_context():
        keys = make_site(db.session, f"site-{uuid.uuid4().hex[:10]}", **site_settings)
        survey = make_survey(db.session, keys.site_id)
    return World(app, keys, survey)


def browser_headers(user_agent: str = BROWSER_UA, **extra: str) -> dict[str, str]:
    return {"User-Agent": user_agent, "Origin": ORIGIN, "Accept-Language": "en-GB,en;q=0.9",
            "Content-Type": "text/plain", **extra}


@dataclass
class PrivateRedis:
    url: str
    port: int
    process: subprocess.Popen[bytes] | None

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def start(self, workdir: Path) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        self.stop()
        pytest.skip("private redis-server did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """Our own redis-server on a free port, so a test can stop it mid-way."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = PrivateRedis(f"redis://127.0.0.1:{port}/0", port, None)
    server.start(tmp_path)
    yield server
    server.stop()
