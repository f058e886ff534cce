"""Eligibility check and response submit under gunicorn, next to hello-world.

Goals (issue 10): eligibility throughput at least 0.5 of hello-world, submit at least 0.35,
on SQLite and on PostgreSQL with Redis rate limits. Both apps run under identical gunicorn
settings (``harness.DEFAULT_SETTINGS``); baseline and subject alternate round by round, and
the figures are medians over rounds. Every submit is a new person with a new idempotency key,
so it measures inserts, never replays. Eligibility is measured twice: for first-time visitors
(a person and a display written on every request: the worst case) and for returning visitors
(2,000 people shown the survey before the bench: the everyday page view, read-only).

    python bench/http_throughput.py [--quick] [--db sqlite|postgres|both] [--tool wrk|python]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import stack_floor
from bench.harness import (
    DEFAULT_SETTINGS,
    Comparison,
    Server,
    collector_env,
    emit,
    figure,
    interleave,
    print_comparison_table,
    running,
    seed_demo,
    start_collector,
    start_hello_world,
    start_stack_floor,
    steady_state,
    workspace,
)
from bench.load import (
    KNOWN_PEOPLE,
    RequestSpec,
    fill,
    known_visitor,
    on_each_database,
    parse_load_arguments,
    run_load,
)

GOALS = {"eligibility": 0.5, "eligibility/returning": 0.5, "submit": 0.35}
# Not goals: the ceilings any server-side check or submit could reach here
# (bench/stack_floor.py), measured against hello-world like the collector.
FLOORS = {"eligibility/returning": "floor: one person read + one counter",
          "submit": "floor: one row stored + one counter"}
SURVEY = "product-nps"
# A real visitor's browser: without one, every answer would be quarantined as a script's.
BROWSER_USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")


# Rate limits stay on and are counted in every scope; the made-up visitor addresses keep the
# per-IP and per-fingerprint limits realistic, and the per-site and per-key caps (defaults
# sized for abuse, not for a load test from one site) are raised so they never trip.
COLLECTOR_SETTINGS = {
    "TENPOINT_TRUSTED_PROXIES": "1",
    "TENPOINT_RATE_LIMIT_ENABLED": "1",
    "TENPOINT_RATE_LIMIT_ELIGIBILITY":
        "ip=120/minute;fingerprint=60/minute;key=10000000/minute;site=10000000/minute",
    "TENPOINT_RATE_LIMIT_SUBMIT":
        "ip=30/minute;fingerprint=10/minute;key=10000000/minute;site=10000000/minute",
}


def specs(publishable_key: str) -> dict[str, RequestSpec]:
    # text/plain, key in the query string: exactly what the widget sends (no preflight),
    # arriving through a load balancer that names the visitor in X-Forwarded-For.
    headers = {"Content-Type": "text/plain", "X-Forwarded-For": "{{ip}}",
               "User-Agent": BROWSER_USER_AGENT, "Accept-Language": "en-US,en;q=0.9"}
    signals = {"webdriver": False, "elapsed_ms": 5400, "honeypot": ""}
    return {
        "eligibility": RequestSpec(
            "POST", f"/v1/eligibility?key={publishable_key}",
            json.dumps({"survey": SURVEY, "user_id": "{{id}}"}), headers),
        # The everyday case: a visitor seen before (already shown the survey, so the answer
        # is ``recently_surveyed``), one of ``KNOWN_PEOPLE`` seeded before measuring.
        "eligibility/returning": RequestSpec(
            "POST", f"/v1/eligibility?key={publishable_key}",
            json.dumps({"survey": SURVEY, "user_id": "{{known}}"}), headers),
        # The widget's automatic page-view check (no survey named) for the same returning
        # visitor: refused, and the quiet-period rule (docs/eligibility.md) worked out too.
        # Not one of this bench's goals: compare_commits.py measures it.
        "eligibility/automatic": RequestSpec(
            "POST", f"/v1/eligibility?key={publishable_key}",
            json.dumps({"url": "https://app.example.com/settings", "user_id": "{{known}}"}),
            headers),
        "submit": RequestSpec(
            "POST", f"/v1/responses?key={publishable_key}&idempotency_key={{{{id}}}}",
            json.dumps({"survey": SURVEY, "score": 9, "user_id": "{{id}}",
                        "comment": "Fast and simple.", "signals": signals}), headers),
    }


def check_once(server: Server, spec: RequestSpec) -> int:
    """One real request before measuring: a bench of error pages would be meaningless."""
    unique, ip = f"check-{time.time_ns()}", "10.255.255.1"
    request = urllib.request.Request(
        server.url + fill(spec.path, unique, ip), method=spec.method,
        data=fill(spec.body, unique, ip).encode(),
        headers={name: fill(value, unique, ip) for name, value in spec.headers.items()})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{server.name} answered {error.code}: {error.read()[:300]!r}") \
            from error


DEFAULT_RULES_SCRIPT = """
from collector import create_app
from collector.core.clock import now
from collector.core.extensions import db
from collector.surveys.definitions import update_survey
from collector.core.survey_lookup import find_survey
app = create_app()
with app.app_context():
    survey = find_survey(db.session, 1, %r, with_version=True)
    config = {k: v for k, v in survey.current_version.config.items() if k != "rules"}
    update_survey(db.session, survey, changes={"config": config}, now=now(), actor="bench")
    db.session.commit()
"""


def use_default_rules(env: dict[str, str]) -> None:
    """The demo survey shows itself on every visit (a 0-day recontact period, for the demo
    page); the bench measures the product's defaults instead (90 days): a first-time visitor
    is shown the survey, a returning one is told ``recently_surveyed``."""
    subprocess.run([sys.executable, "-c", DEFAULT_RULES_SCRIPT % SURVEY], env=env, check=True,
                   cwd=Path(__file__).resolve().parents[1], timeout=120)


def seed_known_people(server: Server, spec: RequestSpec) -> None:
    """Show the survey once to each returning visitor, so the bench meets them again."""
    def one(number: int) -> None:
        body, headers = known_visitor(spec, number)
        request = urllib.request.Request(server.url + spec.path, method="POST", data=body,
                                         headers=headers)
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(KNOWN_PEOPLE)))


def measure(label: str, hello: Server, collector: Server, floor: Server,
            keys: dict[str, str], database_url: str,
            args: argparse.Namespace) -> list[Comparison]:
    results = []
    seed_known_people(collector, specs(keys["publishable_key"])["eligibility/returning"])
    steady_state(database_url)
    for name in GOALS:
        spec = specs(keys["publishable_key"])[name]
        check_once(hello, spec)
        check_once(collector, spec)

        def load(server: Server, spec: RequestSpec = spec) -> Any:
            return run_load(server.url, spec, seconds=args.seconds,
                            connections=args.connections, tool=args.tool)

        load(hello)  # warm-up, not counted: imports, connection pools, page cache
        load(collector)
        results.append(interleave(f"{name} ({label})", lambda load=load: load(hello),
                                  lambda load=load: load(collector), args.rounds))
        if name in FLOORS:
            load(floor)
            results.append(interleave(f"{FLOORS[name]} ({label})",
                                      lambda load=load: load(hello),
                                      lambda load=load: load(floor), args.rounds))
    return results


def run_database(label: str, database_url: str, redis_url: str | None,
                 args: argparse.Namespace) -> list[Comparison]:
    with workspace() as work:
        env = collector_env(database_url, work / "instance", redis_url=redis_url,
                            extra=COLLECTOR_SETTINGS)
        keys = seed_demo(env)
        use_default_rules(env)
        stack_floor.prepare(database_url)
        # One ``with``, two managers: the collector starts only once hello-world is guarded.
        with running(start_hello_world(work)) as (hello,), \
                running(start_collector(env, work)) as (collector,), \
                running(start_stack_floor(env, work)) as (floor,):
            return measure(label, hello, collector, floor, keys, database_url, args)


def report(comparisons: list[Comparison], quick: bool, how: str) -> None:
    rows, figures = [], []
    for comparison in comparisons:
        kind = comparison.name.split(" (")[0]
        value = comparison.throughput_ratio
        rps = comparison.median_of("subject", "rps")
        base_rps = comparison.median_of("baseline", "rps")
        errors = sum(r.errors for r in comparison.subject)
        goal = GOALS.get(kind)
        rows.append((comparison.name, rps, base_rps, value, goal or "(ceiling)",
                     comparison.median_of("subject", "p50_ms"),
                     comparison.median_of("subject", "p99_ms"),
                     comparison.median_of("baseline", "p50_ms"),
                     comparison.median_of("baseline", "p99_ms"), errors))
        figures += [
            figure(f"{comparison.name}: throughput ratio", value, "x hello-world",
                   goal=f">= {goal}" if goal else None,
                   ok=value >= goal and errors == 0 if goal else None),
            figure(f"{comparison.name}: requests/s", rps, "req/s", baseline=base_rps),
            figure(f"{comparison.name}: p50", comparison.median_of("subject", "p50_ms"), "ms",
                   baseline=comparison.median_of("baseline", "p50_ms")),
            figure(f"{comparison.name}: p99", comparison.median_of("subject", "p99_ms"), "ms",
                   baseline=comparison.median_of("baseline", "p99_ms")),
        ]
        if errors:
            figures.append(figure(f"{comparison.name}: failed requests", errors, "requests",
                                  goal="0", ok=False))
    print_comparison_table(
        "HTTP throughput (medians over rounds)", rows,
        ("subject", "req/s", "hello req/s", "ratio", "goal", "p50 ms", "p99 ms",
         "hello p50", "hello p99", "errors"))
    notes = f"{DEFAULT_SETTINGS.describe()}; {how}."
    emit("http_throughput", figures, notes=notes, quick=quick)


def main(argv: list[str] | None = None) -> int:
    args = parse_load_arguments(__doc__.splitlines()[0], argv, rounds=5, seconds=5)
    report(on_each_database(args, run_database), args.quick, args.how)
    return 0

if __name__ == "__main__":
    sys.exit(main())
