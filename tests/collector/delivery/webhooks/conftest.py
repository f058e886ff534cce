from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.collector.delivery.webhooks.receiver import Receiver, start_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook_app(make_app, sqlite_url, clock):
    """The collector on SQLite, allowed to reach the loopback receiver, on a fake clock."""
    return make_app(sqlite_url, WEBHOOK_ALLOW_PRIVATE=True, CLOCK=clock)
