"""Apps with protection switched on (test apps have it off by default), and a private Redis
server a test may kill without touching the shared one."""

from __future__ import annotations

import json
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
from sqlalchemy import select

from collector.core.extensions import db
from collector.models import Response
from tests.conftest import FakeClock
from tests.factories import SiteKeys, make_site, make_survey

BROWSER_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")
ORIGIN = "https://app.example.com"


@pytest.fixture
def protected(make_app: Callable[..., Flask], sqlite_url: str,
              clock: FakeClock) -> Callable[..., Flask]:
    """Build an app with bot verdicts on and rate limits as given (off unless passed), on
    the test's fake clock (answers are timed from their display: docs/protection.md)."""

    def build(**config: Any) -> Flask:
        settings: dict[str, Any] = {"BOT_VERDICTS": True, "RATE_LIMIT_ENABLED": False,
                                    "RATE_LIMIT_PREFIX": f"tptest-{uuid.uuid4().hex}",
                                    "CLOCK": clock}
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


# What the widget sends about the browser with every answer.
WIDGET_SIGNALS = {"webdriver": False, "elapsed_ms": 5400, "honeypot": ""}


def shown(w: World, survey: str | None = None, *, anonymous_id: str | None = None,
          user: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
    """Ask for a display as the widget does; the eligibility answer."""
    body: dict[str, Any] = dict(user or {"anonymous_id": anonymous_id or uuid.uuid4().hex})
    body["survey"] = survey or w.survey
    checked = w.app.test_client().post(f"/v1/eligibility?key={w.keys.publishable}",
                                       data=json.dumps(body), headers=browser_headers(**headers))
    assert checked.status_code == 200, checked.json
    return dict(checked.json)


def solve(challenge: dict[str, Any]) -> str:
    """What the widget does with a proof-of-work challenge, in Python."""
    import base64
    import hashlib

    for number in range(challenge["maxNumber"] + 1):
        digest = hashlib.sha256(f"{challenge['salt']}{number}".encode()).hexdigest()
        if digest == challenge["challenge"]:
            solution = {"algorithm": challenge["algorithm"], "challenge": challenge["challenge"],
                        "number": number, "salt": challenge["salt"],
                        "signature": challenge["signature"]}
            return base64.b64encode(json.dumps(solution).encode()).decode()
    raise AssertionError("no solution")


def minted_token(w: World, visitor: str, survey: str | None = None,
                 user_agent: str = BROWSER_UA) -> str:
    """A display token as the collector would issue it now, for tests about what follows a
    display rather than about who is shown one."""
    from collector.core.clock import now
    from collector.models import Survey
    from collector.protection.display_tokens import issue_token
    from collector.protection.verdicts import fingerprint

    with w.app.app_context():
        found = db.session.scalars(select(Survey).where(
            Survey.site_id == w.keys.site_id, Survey.key == (survey or w.survey))).one()
        secret = w.app.config["SECRET_KEY"]
        print_ = fingerprint(secret, "127.0.0.1", user_agent, "en-GB,en;q=0.9")
        return issue_token(secret, w.keys.site_id, found.id, visitor, print_, now(),
                           uuid.uuid4().bytes)


@dataclass
class Answered:
    """The reply a browser got, and how the collector stored the answer."""

    status_code: int
    json: dict[str, Any]
    stored: dict[str, Any]


def stored_verdict(app: Flask, response_id: int) -> dict[str, Any]:
    with app.app_context():
        row = db.session.get(Response, response_id)
        assert row is not None
        return {"verdict": row.verdict, "verdict_reasons": list(row.verdict_reasons),
                "verdict_signals": list(row.verdict_signals or [])}


def answer_as_widget(w: World, body: dict[str, Any] | None = None, *, token: str | None = None,
                     displayed: bool = True, reading_seconds: float = 5,
                     **headers: str) -> Answered:
    """Answer as the real widget does: a display first (its token), a person reading for
    ``reading_seconds`` on the app's fake clock, then the answer with the widget's signals.
    ``displayed=False`` skips the display (an answer from a script); ``token`` replaces the
    display's token."""
    payload: dict[str, Any] = {"survey": w.survey, "score": 9, "signals": WIDGET_SIGNALS,
                               "anonymous_id": uuid.uuid4().hex, **(body or {})}
    if displayed and token is None:
        user = {k: payload[k] for k in ("user_id", "identity_token", "email", "anonymous_id")
                if k in payload}
        if "user_id" in user or "email" in user:
            user.pop("anonymous_id", None)
            payload.pop("anonymous_id", None)
        seen = shown(w, payload["survey"], user=user, **headers)
        token = seen["display_token"]
        assert token, "the survey was not shown"
        if seen.get("proof_of_work") and "proof_of_work" not in payload:
            payload["proof_of_work"] = solve(seen["proof_of_work"])
    if token is not None:
        payload["display_token"] = token
    clock = w.app.config.get("CLOCK")
    if isinstance(clock, FakeClock):
        clock.advance(seconds=reading_seconds)
    created = w.app.test_client().post(f"/v1/responses?key={w.keys.publishable}",
                                       data=json.dumps(payload),
                                       headers=browser_headers(**headers))
    stored = stored_verdict(w.app, created.json["id"]) if created.status_code == 201 else {}
    return Answered(created.status_code, dict(created.json), stored)


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
