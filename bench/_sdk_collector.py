"""A gunicorn collector on SQLite for the SDK benches (a helper, not a bench: leading ``_``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.harness import collector_env, running, seed_demo, start_collector, workspace

SURVEY = "product-nps"
# The SDK benches time one caller against one collector; the per-IP API limit (meant for
# abuse) would turn a few thousand calls from one loopback address into 429s.
SETTINGS = {"TENPOINT_RATE_LIMIT_ENABLED": "0"}


@dataclass(frozen=True)
class BenchCollector:
    url: str
    secret_key: str
    survey: str
    describe: str


@contextmanager
def sdk_collector() -> Iterator[BenchCollector]:
    with workspace("tenpoint-sdk-bench-") as path:
        env = collector_env(f"sqlite:///{path}/tenpoint.db", path / "instance", extra=SETTINGS)
        keys = seed_demo(env)
        server = start_collector(env, path)
        with running(server):
            yield BenchCollector(server.url, keys["secret_key"], SURVEY,
                                 "gunicorn collector on SQLite, rate limits off, loopback")
