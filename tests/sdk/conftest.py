"""A live collector on loopback for the SDK, and SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import tenpoint
from flask import Flask
from sqlalchemy import func, select

from collector.core.extensions import db
from collector.models import Response
from tests.conftest import LiveServer
from tests.factories import SiteKeys, make_site, make_survey
from tests.sdk.proxy import FaultProxy


@dataclass
class Collector:
    url: str
    app: Flask
    site: SiteKeys
    survey: str

    def stored_responses(self) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(Response)) or 0


@pytest.fixture
def collector(app: Flask, live_server: Callable[[Flask], LiveServer]) -> Collector:
    with app.app_context():
        site = make_site(db.session)
        survey = make_survey(db.session, site.site_id)
    return Collector(live_server(app).url, app, site, survey)


@pytest.fixture
def make_client(collector: Collector) -> Iterator[Callable[..., tenpoint.Client]]:
    clients: list[tenpoint.Client] = []

    def build(**options: Any) -> tenpoint.Client:
        options.setdefault("secret_key", collector.site.secret)
        options.setdefault("base_url", collector.url)
        client = tenpoint.Client(**options)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close(timeout=5)


@pytest.fixture
def sdk(make_client: Callable[..., tenpoint.Client]) -> tenpoint.Client:
    return make_client()


@pytest.fixture
def proxy(collector: Collector) -> Iterator[FaultProxy]:
    server = FaultProxy(collector.url)
    yield server
    server.stop()
