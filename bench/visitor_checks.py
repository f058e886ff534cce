"""First-time and returning visitors' eligibility checks, named and automatic, next to
hello-world and the stack's floor in one run (issue 23).

A first-time visitor's refused check no longer writes a person (docs/eligibility.md, "What a
check writes"), so it should cost about what a returning visitor's does. The site samples
anonymous visitors at 1 % (``anonymous_rate: 0.01``): of the first-time checks, from a new
anonymous visitor each, about 1 in 100 is shown the survey (and stores the person and the
display); the others write nothing. Returning visitors are ``KNOWN_PEOPLE`` identified people
shown the survey before measuring (answer: ``recently_surveyed``). Each check is measured
*named* (``survey`` given) and *automatic* (the widget's default request: the URL only).
Every subject alternates with hello-world round by round (``harness.interleave``) under the
same gunicorn settings; the floor (``stack_floor.py``: one person read and one counter) is
measured the same way with the returning visitor's request.

    python bench/visitor_checks.py [--quick] [--db sqlite|postgres|both] [--rounds N]
                                   [--seconds S] [--connections C] [--ports P]

``--ports P``: hello-world, collector, floor, PostgreSQL and Redis listen on P to P+4 (on a
machine shared with others who keep to port ranges of their own); 0: wherever the kernel
picks.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
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
    start_gunicorn,
    steady_state,
    workspace,
)
from bench.http_throughput import (
    BROWSER_USER_AGENT,
    COLLECTOR_SETTINGS,
    SURVEY,
    check_once,
    seed_known_people,
)
from bench.load import RequestSpec, on_each_database, parse_load_arguments, run_load

PAGE = "https://app.example.com/settings"
# What the widget sends for a browser it has just met (docs/widget.md).
FIRST_SEEN = "2026-12-04T12:00:00.000Z"
FLOOR = "floor: one person read + one counter"
ANONYMOUS_RATE = 0.01

RULES_SCRIPT = """
from collector import create_app
from collector.core.clock import now
from collector.core.extensions import db
from collector.surveys.definitions import update_survey
from collector.core.survey_lookup import find_survey
app = create_app()
with app.app_context():
    survey = find_survey(db.session, 1, %r, with_version=True)
    config = {**survey.current_version.config, "rules": {"anonymous_rate": %r}}
    update_survey(db.session, survey, changes={"config": config}, now=now(), actor="bench")
    db.session.commit()
"""


def specs(publishable_key: str) -> dict[str, RequestSpec]:
    """The four checks, as the widget sends them through a load balancer."""
    headers = {"Content-Type": "text/plain", "X-Forwarded-For": "{{ip}}",
               "User-Agent": BROWSER_USER_AGENT, "Accept-Language": "en-US,en;q=0.9"}
    new = {"anonymous_id": "anon-{{id}}", "locale": "en-US", "first_seen_at": FIRST_SEEN}
    bodies: dict[str, dict[str, Any]] = {
        "first-time, named": {"survey": SURVEY, **new},
        "first-time, automatic": {"url": PAGE, **new},
        "returning, named": {"survey": SURVEY, "user_id": "{{known}}"},
        "returning, automatic": {"url": PAGE, "user_id": "{{known}}"},
    }
    return {name: RequestSpec("POST", f"/v1/eligibility?key={publishable_key}",
                              json.dumps(body), headers) for name, body in bodies.items()}


def use_bench_rules(env: dict[str, str]) -> None:
    """The product's default rules (90-day recontact), anonymous visitors sampled at 1 %."""
    subprocess.run([sys.executable, "-c", RULES_SCRIPT % (SURVEY, ANONYMOUS_RATE)], env=env,
                   check=True, cwd=Path(__file__).resolve().parents[1], timeout=120)


def measure(label: str, hello: Server, collector: Server, floor: Server,
            keys: dict[str, str], database_url: str,
            args: argparse.Namespace) -> list[Comparison]:
    requests = specs(keys["publishable_key"])
    seed_known_people(collector, requests["returning, named"])
    steady_state(database_url)
    results = []
    subjects = [(name, collector, spec) for name, spec in requests.items()]
    subjects.append((FLOOR, floor, requests["returning, named"]))
    for name, server, spec in subjects:
        check_once(hello, spec)
        check_once(server, spec)

        def load(target: Server, spec: RequestSpec = spec) -> Any:
            return run_load(target.url, spec, seconds=args.seconds,
                            connections=args.connections, tool=args.tool)

        load(hello)  # warm-up, not counted
        load(server)
        results.append(interleave(f"{name} ({label})", lambda load=load: load(hello),
                                  lambda load=load, server=server: load(server), args.rounds))
    return results


def run_database(label: str, database_url: str, redis_url: str | None,
                 args: argparse.Namespace) -> list[Comparison]:
    with workspace() as work:
        env = collector_env(database_url, work / "instance", redis_url=redis_url,
                            extra=COLLECTOR_SETTINGS)
        keys = seed_demo(env)
        use_bench_rules(env)
        stack_floor.prepare(database_url)
        port = (lambda n: args.ports + n) if args.ports else (lambda n: 0)
        with running(start_gunicorn("bench.hello_world:app", name="hello-world",
                                    workdir=work, port=port(0))) as (hello,), \
                running(start_collector(env, work, port=port(1))) as (collector,), \
                running(start_gunicorn("bench.stack_floor:app", name="floor", workdir=work,
                                       env=env, port=port(2))) as (floor,):
            return measure(label, hello, collector, floor, keys, database_url, args)


def report(comparisons: list[Comparison], quick: bool, how: str) -> None:
    rows, figures = [], []
    for comparison in comparisons:
        value = comparison.throughput_ratio
        rps, base_rps = (comparison.median_of("subject", "rps"),
                         comparison.median_of("baseline", "rps"))
        errors = sum(r.errors for r in comparison.subject)
        rows.append((comparison.name, rps, base_rps, value,
                     comparison.median_of("subject", "p50_ms"),
                     comparison.median_of("subject", "p99_ms"), errors))
        figures += [
            figure(f"{comparison.name}: throughput ratio", value, "x hello-world"),
            figure(f"{comparison.name}: requests/s", rps, "req/s", baseline=base_rps),
            figure(f"{comparison.name}: p99", comparison.median_of("subject", "p99_ms"), "ms",
                   baseline=comparison.median_of("baseline", "p99_ms")),
        ]
        if errors:
            figures.append(figure(f"{comparison.name}: failed requests", errors, "requests",
                                  goal="0", ok=False))
    print_comparison_table("Visitor checks (medians over rounds)", rows,
                           ("subject", "req/s", "hello req/s", "ratio", "p50 ms", "p99 ms",
                            "errors"))
    emit("visitor_checks", figures, notes=f"{DEFAULT_SETTINGS.describe()}; {how}.",
         quick=quick)


def main(argv: list[str] | None = None) -> int:
    args = parse_load_arguments(__doc__.splitlines()[0], argv, rounds=3, seconds=4, ports=True)
    report(on_each_database(args, run_database), args.quick, args.how)
    return 0

if __name__ == "__main__":
    sys.exit(main())
