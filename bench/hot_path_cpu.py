"""CPU per request on the widget's two hot paths, in one process, next to hello-world.

No network and no gunicorn: each request is a direct WSGI call, so the figure is the
application's own cost (Flask, Tenpoint, SQLAlchemy, the database driver) with the noise of
load generators and sockets taken out. It explains the HTTP throughput figures
(``http_throughput.py``) and is the quickest check after a change to a hot path.

    python bench/hot_path_cpu.py [--quick] [--db sqlite|postgres] [--profile eligibility|submit]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    collector_env,
    emit,
    figure,
    median,
    ratio,
    seed_demo,
    steady_state,
    workspace,
)
from bench.http_throughput import COLLECTOR_SETTINGS, specs, use_default_rules
from bench.load import KNOWN_PEOPLE, fill, known_visitor
from bench.services import PrivatePostgres, PrivateRedis

WsgiApp = Callable[..., Any]


def call(app: WsgiApp, method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
    """One request straight into the WSGI app; returns the status code."""
    target, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": target, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0), "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    status: list[str] = []
    chunks = app(environ, lambda line, _headers, _exc=None: status.append(line))
    try:
        for _chunk in chunks:
            pass
    finally:
        getattr(chunks, "close", lambda: None)()
    return int(status[0].split(" ", 1)[0])


def seed_returning_visitors(app: WsgiApp, publishable_key: str) -> None:
    """Show the survey once to each of ``KNOWN_PEOPLE``, so the bench meets them again."""
    returning = specs(publishable_key)["eligibility/returning"]
    for number in range(KNOWN_PEOPLE):
        call(app, returning.method, returning.path, *known_visitor(returning, number))


def runner(app: WsgiApp, name: str, key: str) -> Callable[[int], None]:
    spec = specs(key)[name]

    def one(n: int) -> None:
        unique, ip = f"cpu-{os.getpid()}-{time.time_ns()}-{n}", f"10.{n % 250}.{n // 250 % 250}.9"
        code = call(app, spec.method, fill(spec.path, unique, ip), fill(spec.body, unique, ip)
                    .encode(), {k: fill(v, unique, ip) for k, v in spec.headers.items()})
        if code >= 300:
            raise RuntimeError(f"{name} answered {code}")
    return one


def cpu_per_request(one: Callable[[int], None], count: int, batches: int) -> float:
    """Median over batches of process CPU time per request, in milliseconds."""
    results, n = [], 0
    for _ in range(batches):
        start = time.process_time()
        for _ in range(count):
            one(n)
            n += 1
        results.append((time.process_time() - start) * 1000 / count)
    return median(results)


def measure(database_url: str, redis_url: str | None, args: argparse.Namespace) -> list[Any]:
    with workspace() as work:
        env = collector_env(database_url, work / "instance", redis_url=redis_url,
                            extra=COLLECTOR_SETTINGS)
        keys = seed_demo(env)
        use_default_rules(env)
        os.environ.update({k: v for k, v in env.items() if k.startswith("TENPOINT_")})
        from bench.hello_world import app as hello_app
        from collector import create_app

        apps = {"hello-world": hello_app.wsgi_app, "collector": create_app().wsgi_app}
        hello = runner(apps["hello-world"], "eligibility", keys["publishable_key"])
        out = []
        seed_returning_visitors(apps["collector"], keys["publishable_key"])
        steady_state(database_url)
        for name in ("eligibility", "eligibility/returning", "submit"):
            subject = runner(apps["collector"], name, keys["publishable_key"])
            for warm in range(20):
                hello(warm)
                subject(warm)
            if args.profile == name:
                profiler = cProfile.Profile()
                profiler.enable()
                for n in range(args.count):
                    subject(10_000 + n)
                profiler.disable()
                stats = pstats.Stats(profiler).sort_stats(args.sort)
                stats.print_stats(45)
            base = cpu_per_request(hello, args.count, args.batches)
            cost = cpu_per_request(subject, args.count, args.batches)
            out.append((name, cost, base))
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--profile", choices=("eligibility", "eligibility/returning", "submit"),
                        help="print a cProfile of this path before measuring")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (tottime…)")
    args = parser.parse_args(argv)
    args.count = 200 if args.quick else 500
    args.batches = 3 if args.quick else 7
    if args.db == "sqlite":
        with workspace() as work:
            rows = measure(f"sqlite:///{work}/cpu.db", None, args)
    else:
        postgres, redis = PrivatePostgres().start(), PrivateRedis().start()
        try:
            rows = measure(postgres.url, redis.url, args)
        finally:
            redis.stop()
            postgres.destroy()
    label = "SQLite" if args.db == "sqlite" else "PostgreSQL + Redis"
    figures = []
    for name, cost, base in rows:
        print(f"{name:22} {label}: {cost:.3f} ms CPU/request, hello-world {base:.3f} ms, "
              f"hello/collector {ratio(base, cost):.3f}")
        figures += [figure(f"{name} ({label}): CPU per request", cost, "ms", baseline=base),
                    figure(f"{name} ({label}): hello-world CPU / collector CPU",
                           ratio(base, cost), "x")]
    print(json.dumps({"bench": "hot_path_cpu", "rows": len(rows)}), file=sys.stderr)
    emit("hot_path_cpu", figures, quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
