"""Grouped NPS metrics over a million responses: goal under 1 s on SQLite and PostgreSQL.

Seeds N responses (default 1,000,000) into a fresh SQLite file and, when reachable, a
private PostgreSQL database created for the run and dropped after it; then times
``collector.metrics.nps_report`` (what ``GET /v1/metrics/nps`` runs) for several groupings,
median of several runs, next to a baseline measured in the same run: a bare
``SELECT count(*)`` over the same rows.

The daily roll-up (docs/metrics-rollup.md) is populated once after seeding (timed and
reported apart); then, as in production between two runs of the job, a tail of
``--tail`` newer responses is added that the roll-up does not hold yet and one day is
marked dirty, so each measured report reads the roll-up AND raw rows.

    .venv/bin/python bench/metrics_1m.py             # 1,000,000 rows
    .venv/bin/python bench/metrics_1m.py --rows 100000 --runs 3
    TENPOINT_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.orm import Session

from bench.harness import emit, figure
from collector.database import migrate
from collector.metrics import MetricsQuery, nps_report
from collector.models import Response, Site
from collector.rollup import mark_days_dirty, refresh_rollup
from collector.stats import category_of
from collector.surveys import create_survey

GOAL_SECONDS = 1.0
NOW = datetime(2026, 3, 1, tzinfo=UTC)
TOUCHPOINTS = ("checkout", "onboarding", "support", "billing", "search", None)
CHANNELS = ("in_app", "email", "link")
LOCALES = ("en", "de", "fr", "pt-BR", "ja")
PLANS = ("free", "pro", "team", "enterprise")
GROUPINGS: tuple[tuple[str, str | None, bool], ...] = (
    ("overall", None, False),
    ("touchpoint", "touchpoint", False),
    ("week", "week", False),
    ("month", "month", False),
    ("property:plan", "property:plan", False),
    ("touchpoint, weighted", "touchpoint", True),
)


def _site_and_survey(session: Session) -> tuple[int, int, int]:
    site = Site(slug="bench", name="Bench", allowed_origins=[], default_locale="en",
                identity_secret="x" * 32, settings={}, created_at=NOW)
    session.add(site)
    session.flush()
    survey = create_survey(session, site.id, key="nps", name="NPS", active=True, now=NOW,
                           actor="bench",
                           config={"texts": {"en": {"question": "Recommend us?"}}})
    session.commit()
    assert survey.current_version_id is not None
    return site.id, survey.id, survey.current_version_id


def _rows(count: int, site_id: int, survey_id: int, version_id: int, seed: int
          ) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        score = min(10, max(0, int(rng.gauss(7.6, 2.2))))
        rows.append({
            "site_id": site_id, "survey_id": survey_id, "survey_version_id": version_id,
            "score": score, "category": category_of(score), "comment": None, "answers": {},
            "locale": rng.choice(LOCALES), "channel": rng.choice(CHANNELS),
            "touchpoint": rng.choice(TOUCHPOINTS), "properties": {"plan": rng.choice(PLANS)},
            "value": round(rng.lognormvariate(4, 1), 2),
            "verdict": "quarantined" if rng.random() < 0.01 else "accepted",
            "verdict_reasons": [], "created_at": NOW - timedelta(seconds=rng.randrange(31_536_000)),
            "updated_at": NOW,
        })
    return rows


def seed(url: str, total: int, tail: int) -> tuple[int, float]:
    """Seed ``total`` rows, roll them up, then add ``tail`` rows and a dirty day; returns
    the site id and the roll-up's seconds."""
    engine = create_engine(url)
    with Session(engine) as session:
        site_id, survey_id, version_id = _site_and_survey(session)
        chunk = 50_000
        for start in range(0, total, chunk):
            session.execute(insert(Response), _rows(min(chunk, total - start), site_id,
                                                    survey_id, version_id, seed=start))
            session.commit()
        started = time.perf_counter()
        refresh_rollup(session, NOW, settled=True)
        session.commit()
        rollup_seconds = time.perf_counter() - started
        if tail:
            session.execute(insert(Response), _rows(tail, site_id, survey_id, version_id,
                                                    seed=-1))
        mark_days_dirty(session, site_id, survey_id, [(NOW - timedelta(days=40)).date()])
        session.commit()
        if engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE responses"))
        else:
            session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()
    return site_id, rollup_seconds


def _median(function: Callable[[], object], runs: int) -> float:
    function()  # warm the caches once, as a running server would have them
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(label: str, url: str, site_id: int, runs: int) -> tuple[float, list[float]]:
    engine = create_engine(url)
    since = NOW - timedelta(days=365)
    results = []
    with Session(engine) as session:
        baseline = _median(lambda: session.scalar(
            select(func.count()).select_from(Response).where(Response.site_id == site_id)),
            runs)
        print(f"\n{label}: baseline SELECT count(*) {baseline * 1000:8.1f} ms")
        for name, group_by, weighted in GROUPINGS:
            # Not day-aligned at either end, as a dashboard's "last 365 days" is.
            spec = MetricsQuery(site_id, None, since + timedelta(hours=7, minutes=13),
                                NOW + timedelta(hours=3), group_by, weighted)
            seconds = _median(lambda spec=spec: nps_report(session, spec), runs)
            verdict = "OK " if seconds < GOAL_SECONDS else "SLOW"
            results.append(seconds)
            print(f"  {verdict} {name:<22} {seconds * 1000:8.1f} ms   "
                  f"{seconds / baseline:5.1f}x baseline, goal {GOAL_SECONDS * 1000:.0f} ms")
    engine.dispose()
    return baseline, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--tail", type=int, default=2_000,
                        help="responses added after the roll-up ran (read raw)")
    parser.add_argument("--quick", action="store_true",
                        help="100,000 responses, 3 runs: checks the set-up (run_all --quick)")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.runs = min(args.rows, 100_000), min(args.runs, 3)
    print(f"{args.rows:,} responses over a year, 1% quarantined; median of {args.runs} runs;"
          f" {args.tail:,} more after the roll-up ran, one day dirty")
    figures: list[dict[str, object]] = []

    def record(database: str, rollup_seconds: float, baseline: float,
               results: list[float]) -> None:
        figures.append(figure(f"roll-up first run, {database}, {args.rows:,} responses",
                              rollup_seconds * 1000, "ms"))
        for (name, _, _), seconds in zip(GROUPINGS, results, strict=True):
            figures.append(figure(f"metrics {name}, {database}, {args.rows:,} responses",
                                  seconds * 1000, "ms", baseline=baseline * 1000,
                                  goal=f"< {GOAL_SECONDS * 1000:.0f}",
                                  ok=seconds < GOAL_SECONDS))

    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            migrate(url)
            started = time.perf_counter()
            site_id, rollup_seconds = seed(url, args.rows, args.tail)
            print(f"SQLite seeded in {time.perf_counter() - started:.0f} s; "
                  f"roll-up first run {rollup_seconds * 1000:.0f} ms")
            record("SQLite", rollup_seconds, *measure("SQLite", url, site_id, args.runs))

    if not args.skip_postgres:
        _postgres(args.rows, args.tail, args.runs, record)
    emit("metrics_1m", figures, quick=args.quick,
         notes="nps_report in process; medians; roll-up populated, "
               f"{args.tail:,}-row raw tail and one dirty day")


def _postgres(rows: int, tail: int, runs: int,
              record: Callable[[str, float, float, list[float]], None]) -> None:
    admin_url = os.environ.get("TENPOINT_BENCH_POSTGRES_URL",
                               "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"tp_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any failure means no PostgreSQL to measure
        print(f"\nPostgreSQL not measured: {str(error).splitlines()[0]}")
        return
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        migrate(url)
        started = time.perf_counter()
        site_id, rollup_seconds = seed(url, rows, tail)
        print(f"\nPostgreSQL seeded in {time.perf_counter() - started:.0f} s; "
              f"roll-up first run {rollup_seconds * 1000:.0f} ms")
        record("PostgreSQL", rollup_seconds, *measure("PostgreSQL", url, site_id, runs))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
