"""What leaving layers out would buy: a returning visitor's check under gunicorn, on SQLite.

The throughput goal (issue 10: at least 0.5 of hello-world) is missed by the real
collector. Two layers of it are not the check itself and could in principle be left out:
the rate limits (four counters per page view, their headers, the caller's fingerprint) and
the framework around the view (flask-smorest, webargs, ``MethodView``; ``direct_view.py``).
This bench serves four collectors on one SQLite database, under the same gunicorn settings
as hello-world:

- the collector as shipped;
- the same with rate limits off (``TENPOINT_RATE_LIMIT_ENABLED=0``);
- ``direct_view.py`` (the view without the framework layers), rate limits on;
- ``direct_view.py`` with rate limits off.

Each round loads hello-world, then each collector in turn, with the returning visitors'
check of ``http_throughput.py``; ratios are medians over rounds against hello-world's
median. It tells how far from the goal the check would still be with either layer gone.

    python bench/layers.py [--quick] [--rounds N] [--seconds S]
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    DEFAULT_SETTINGS,
    Comparison,
    Server,
    collector_env,
    emit,
    figure,
    print_comparison_table,
    ratio,
    running,
    seed_demo,
    start_gunicorn,
    start_hello_world,
    steady_state,
    workspace,
)
from bench.http_throughput import (
    COLLECTOR_SETTINGS,
    check_once,
    seed_known_people,
    specs,
    use_default_rules,
)
from bench.load import LoadResult, run_load, tool_name

CONNECTIONS = 16

VARIANTS = (  # name, WSGI app, rate limits on
    ("collector as shipped", "collector.wsgi:app", True),
    ("rate limits off", "collector.wsgi:app", False),
    ("framework layers off", "bench.direct_view:create()", True),
    ("both off", "bench.direct_view:create()", False),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s: checks the set-up")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 5)
    seconds = args.seconds or (2 if args.quick else 5)

    with workspace() as work, ExitStack() as stack:
        database_url = f"sqlite:///{work}/layers.db"
        env = collector_env(database_url, work / "instance", extra=COLLECTOR_SETTINGS)
        keys = seed_demo(env)
        use_default_rules(env)
        spec = specs(keys["publishable_key"])["eligibility/returning"]

        def load(server: Server) -> LoadResult:
            return run_load(server.url, spec, seconds=seconds, connections=CONNECTIONS)

        hello = stack.enter_context(running(start_hello_world(work)))[0]
        collectors = [stack.enter_context(running(start_gunicorn(
            app, name=f"variant-{number}", workdir=work,
            env={**env, "TENPOINT_RATE_LIMIT_ENABLED": "1" if limits else "0"})))[0]
            for number, (_, app, limits) in enumerate(VARIANTS)]
        seed_known_people(collectors[0], spec)
        steady_state(database_url)
        for server in (hello, *collectors):
            check_once(server, spec)
            load(server)  # warm-up, not counted
        comparisons = [Comparison(name) for name, _, _ in VARIANTS]
        for _ in range(rounds):
            baseline = load(hello)
            for comparison, server in zip(comparisons, collectors, strict=True):
                comparison.baseline.append(baseline)
                comparison.subject.append(load(server))
    rows, figures = [], []
    for comparison in comparisons:
        rps = comparison.median_of("subject", "rps")
        base = comparison.median_of("baseline", "rps")
        errors = sum(result.errors for result in comparison.subject)
        rows.append((comparison.name, rps, base, ratio(rps, base), errors))
        figures += [figure(f"returning check, {comparison.name}: throughput ratio",
                           ratio(rps, base), "x hello-world"),
                    figure(f"returning check, {comparison.name}: requests/s", rps, "req/s",
                           baseline=base)]
        if errors:
            figures.append(figure(f"returning check, {comparison.name}: failed requests",
                                  errors, "requests", goal="0", ok=False))
    print_comparison_table("Returning visitors' check on SQLite, layers left out (medians)",
                           rows, ("collector", "req/s", "hello req/s", "ratio", "errors"))
    notes = (f"{DEFAULT_SETTINGS.describe()}; load by {tool_name('auto')}, {rounds} rounds of "
             f"{seconds:g} s (hello-world, then each collector), {CONNECTIONS} connections. "
             "Not goals: what the check would reach without each layer (bench/direct_view.py)")
    emit("layers", figures, notes=notes, quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
