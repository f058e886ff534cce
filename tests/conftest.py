"""Fixtures shared by every test: apps on SQLite or PostgreSQL, keys, clocks, live servers.

PostgreSQL and Redis come from TENPOINT_TEST_POSTGRES_URL / TENPOINT_TEST_REDIS_URL
(defaults: this machine's local servers). When they do not answer, their tests skip with the
reason, unless TENPOINT_REQUIRE_SERVICES=1 (set by .ci/run), which makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from collector import create_app
from collector.core.database import migrate
from collector.core.extensions import db
from collector.eligibility.decision_counts import discard_all
from collector.models import Base
from tests.factories import SiteKeys, make_site, make_survey

POSTGRES_URL = os.environ.get("TENPOINT_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TENPOINT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SERVICES_REQUIRED = os.environ.get("TENPOINT_REQUIRE_SERVICES") == "1"


def service_missing(name: str, reason: str) -> None:
    message = f"{name} is not reachable ({reason})"
    if SERVICES_REQUIRED:
        pytest.fail(f"{message}; TENPOINT_REQUIRE_SERVICES=1 makes this a failure", pytrace=False)
    pytest.skip(f"{message}; set TENPOINT_TEST_{name.upper()}_URL or start it")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's own TENPOINT_* settings must not leak into the tests."""
    for name in list(os.environ):
        if name.startswith("TENPOINT_") and name not in {"TENPOINT_REQUIRE_SERVICES",
                                                         "TENPOINT_TEST_POSTGRES_URL",
                                                         "TENPOINT_TEST_REDIS_URL"}:
            monkeypatch.delenv(name)
    monkeypatch.setenv("TENPOINT_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture(autouse=True)
def _no_counts_leak() -> Iterator[None]:
    """Buffered decision counts belong to one test's database: a later flush (the next
    test's, or the one at exit) must not write them into another, or into one since dropped."""
    yield
    discard_all()


# --- databases ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A private database for this test session, migrated once and dropped at the end."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"tp_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure means the server is not usable
        admin.dispose()
        service_missing("postgres", str(error).splitlines()[0])
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "tenpoint.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    yield postgres_database
    _truncate_all(postgres_database)


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        service_missing("redis", str(error))
    return REDIS_URL


# --- apps --------------------------------------------------------------------------------

class FakeClock:
    """A clock tests move by hand: ``clock.advance(hours=25)``."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(tmp_path: Path) -> AppFactory:
    def build(database_url: str, **config: Any) -> Flask:
        settings = {"TESTING": True, "DATABASE_URL": database_url,
                    "SECRET_KEY": "test-secret-key", "PUBLIC_URL": "http://collector.test",
                    "RATE_LIMIT_FILE": str(tmp_path / "ratelimit.sqlite")}
        settings.update(config)
        return create_app(settings)

    return build


@pytest.fixture
def app(make_app: AppFactory, sqlite_url: str) -> Iterator[Flask]:
    """The collector on SQLite, the embedded default."""
    application = make_app(sqlite_url)
    yield application


@pytest.fixture(params=["sqlite", "postgres"])
def any_app(request: pytest.FixtureRequest, make_app: AppFactory) -> Flask:
    """The collector on each supported database; storage tests use this one."""
    url = request.getfixturevalue(f"{request.param}_url")
    return make_app(url)


@pytest.fixture
def any_site(any_app: Flask) -> SiteKeys:
    """A site with one survey (``nps``) on ``any_app``."""
    with any_app.app_context():
        keys = make_site(db.session)
        make_survey(db.session, keys.site_id)
    return keys


@pytest.fixture
def any_client(any_app: Flask) -> FlaskClient:
    return any_app.test_client()


@pytest.fixture
def pg_app(make_app: AppFactory, postgres_url: str) -> Flask:
    return make_app(postgres_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def site(app: Flask) -> SiteKeys:
    with app.app_context():
        return make_site(db.session)


@pytest.fixture
def survey(app: Flask, site: SiteKeys) -> str:
    with app.app_context():
        return make_survey(db.session, site.site_id)


# --- live servers ------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    app: Flask
    stop: Callable[[], None]


@pytest.fixture
def live_server() -> Iterator[Callable[[Flask], LiveServer]]:
    """Serve an app on a free loopback port in a thread; stopped after the test."""
    servers: list[Any] = []

    def start(application: Flask) -> LiveServer:
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        return LiveServer(f"http://127.0.0.1:{server.server_port}", application,
                          server.shutdown)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
