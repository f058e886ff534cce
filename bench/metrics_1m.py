"""Grouped NPS metrics over a million responses: goal under 1 s on SQLite and PostgreSQL.

Seeds N responses (default 1,000,000) into a fresh SQLite file and, when reachable, a
private PostgreSQL database created for the run and dropped after it; then times
``analytics.metrics.nps_report`` (what ``GET /v1/metrics/nps`` runs) for several groupings,
median of several runs, next to a baseline measured in the same run: a bare
``SELECT count(*)`` over the same rows.

Every answer has a ``plan`` property (the site lists it in ``rollup_properties``) and most
come from known people, 40% of whom filed support tickets. The roll-ups
(docs/metrics-rollup.md: per day, per property value, per ticket resolution bucket) are
populated once after seeding (timed and reported apart); then, as in production between
two runs of the job, a tail of ``--tail`` newer responses is added that the roll-up does
not hold yet, one day is marked dirty and ``--recent-tickets`` people have a ticket solved
since the job last looked, so each measured report reads the roll-up AND raw rows.

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
from collector.analytics.metrics import MetricsQuery, NpsReport, nps_report, scan_report
from collector.analytics.rollup_builder import mark_days_dirty, refresh_rollup
from collector.analytics.statistics import category_of
from collector.core.database import migrate
from collector.models import Person, Response, Site, Ticket
from collector.surveys.definitions import create_survey

GOAL_SECONDS = 1.0
NOW = datetime(2026, 3, 1, tzinfo=UTC)
TOUCHPOINTS = ("checkout", "onboarding", "support", "billing", "search", None)
CHANNELS = ("in_app", "email", "link")
LOCALES = ("en", "de", "fr", "pt-BR", "ja")
PLANS = ("free", "pro", "team", "enterprise")
# One person per four answers; 10% of answers anonymous; 40% of people filed 1 to 3 tickets.
ANSWERS_PER_PERSON = 4
GROUPINGS: tuple[tuple[str, str | None, bool], ...] = (
    ("overall", None, False),
    ("touchpoint", "touchpoint", False),
    ("week", "week", False),
    ("month", "month", False),
    ("property:plan", "property:plan", False),
    ("property:plan, weighted", "property:plan", True),
    ("ticket_resolution", "ticket_resolution", False),
    ("touchpoint, weighted", "touchpoint", True),
)
# Groupings also timed once as a raw scan, and checked against it.
RAW_CHECKED = ("property:plan", "ticket_resolution")


def _site_and_survey(session: Session) -> tuple[int, int, int]:
    site = Site(slug="bench", name="Bench", allowed_origins=[], default_locale="en",
                identity_secret="x" * 32, settings={"rollup_properties": ["plan"]},
                created_at=NOW)
    session.add(site)
    session.flush()
    survey = create_survey(session, site.id, key="nps", name="NPS", active=True, now=NOW,
                           actor="bench",
                           config={"texts": {"en": {"question": "Recommend us?"}}})
    session.commit()
    assert survey.current_version_id is not None
    return site.id, survey.id, survey.current_version_id


def _people(session: Session, site_id: int, count: int) -> tuple[int, int]:
    """``count`` people, 40% of them with 1 to 3 support tickets (90% resolved, after a
    log-normal delay: median about 4 hours); returns the first person id and the count."""
    rng = random.Random(7)
    chunk = 50_000
    for start in range(0, count, chunk):
        session.execute(insert(Person), [{
            "site_id": site_id, "external_id": f"u{number}", "properties": {},
            "first_seen_at": NOW - timedelta(days=400), "updated_at": NOW,
        } for number in range(start, min(count, start + chunk))])
    first = session.scalar(select(func.min(Person.id)).where(Person.site_id == site_id))
    assert first is not None
    tickets: list[dict[str, object]] = []
    for offset in range(count):
        for _ in range(rng.choice((0, 0, 0, 0, 0, 0, 1, 1, 2, 3))):
            opened = NOW - timedelta(seconds=rng.randrange(31_536_000))
            resolved = opened + timedelta(hours=rng.lognormvariate(1.5, 1.5)) \
                if rng.random() < 0.9 else None
            tickets.append({
                "site_id": site_id, "person_id": first + offset,
                "external_id": f"t{len(tickets)}", "status": "solved" if resolved else "open",
                "status_at": resolved or opened, "resolved_at": resolved,
                "created_at": opened, "updated_at": NOW})
    for start in range(0, len(tickets), chunk):
        session.execute(insert(Ticket), tickets[start:start + chunk])
    session.commit()
    return first, count


def _rows(count: int, site_id: int, survey_id: int, version_id: int, people: tuple[int, int],
          seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    first_person, people_count = people
    for _ in range(count):
        score = min(10, max(0, int(rng.gauss(7.6, 2.2))))
        person = first_person + rng.randrange(people_count) if rng.random() < 0.9 else None
        rows.append({
            "site_id": site_id, "survey_id": survey_id, "survey_version_id": version_id,
            "person_id": person,
            "score": score, "category": category_of(score), "comment": None, "answers": {},
            "locale": rng.choice(LOCALES), "channel": rng.choice(CHANNELS),
            "touchpoint": rng.choice(TOUCHPOINTS), "properties": {"plan": rng.choice(PLANS)},
            "value": round(rng.lognormvariate(4, 1), 2),
            "verdict": "quarantined" if rng.random() < 0.01 else "accepted",
            "verdict_reasons": [], "created_at": NOW - timedelta(seconds=rng.randrange(31_536_000)),
            "updated_at": NOW,
        })
    return rows


def _recent_tickets(session: Session, site_id: int, people: tuple[int, int], count: int
                    ) -> None:
    """``count`` people get a ticket solved after the job's last run (their answers' days
    are read raw until the job folds the change in, TICKET_LAG later)."""
    rng = random.Random(11)
    first, people_count = people
    session.execute(insert(Ticket), [{
        "site_id": site_id, "person_id": first + rng.randrange(people_count),
        "external_id": f"recent{number}", "status": "solved",
        "status_at": NOW + timedelta(seconds=30), "resolved_at": NOW + timedelta(seconds=30),
        "created_at": NOW - timedelta(hours=2), "updated_at": NOW + timedelta(seconds=30),
    } for number in range(count)])


def seed(url: str, total: int, tail: int, recent_tickets: int) -> tuple[int, float]:
    """Seed ``total`` rows, roll them up, then add ``tail`` rows, a dirty day and recent
    ticket changes; returns the site id and the roll-up's seconds."""
    engine = create_engine(url)
    with Session(engine) as session:
        site_id, survey_id, version_id = _site_and_survey(session)
        people = _people(session, site_id, max(1, total // ANSWERS_PER_PERSON))
        chunk = 50_000
        for start in range(0, total, chunk):
            session.execute(insert(Response), _rows(min(chunk, total - start), site_id,
                                                    survey_id, version_id, people, seed=start))
            session.commit()
        started = time.perf_counter()
        refresh_rollup(session, NOW, settled=True)
        session.commit()
        rollup_seconds = time.perf_counter() - started
        if tail:
            session.execute(insert(Response), _rows(tail, site_id, survey_id, version_id,
                                                    people, seed=-1))
        mark_days_dirty(session, site_id, survey_id, [(NOW - timedelta(days=40)).date()])
        _recent_tickets(session, site_id, people, recent_tickets)
        session.commit()
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
            if group_by in RAW_CHECKED and not weighted:
                _against_the_scan(session, spec)
    engine.dispose()
    return baseline, results


def _against_the_scan(session: Session, spec: MetricsQuery) -> None:
    """Once: the same report from one raw scan (what this grouping cost before its
    roll-up), and proof that both give the same groups and counts."""
    started = time.perf_counter()
    raw = scan_report(session, spec)
    seconds = time.perf_counter() - started
    rolled = nps_report(session, spec)

    def counts(report: NpsReport) -> list[tuple[str | None, int, int, int, int]]:
        return [(g.key, g.counts.promoters, g.counts.passives, g.counts.detractors,
                 g.quarantined) for g in report.groups]
    same = counts(raw) == counts(rolled)
    print(f"       {'':<22} {seconds * 1000:8.1f} ms   raw scan, once; "
          f"{'same groups and counts' if same else 'DIFFERENT FIGURES'}")
    if not same:
        raise SystemExit(f"roll-up and raw scan disagree: {counts(rolled)} != {counts(raw)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--tail", type=int, default=2_000,
                        help="responses added after the roll-up ran (read raw)")
    parser.add_argument("--recent-tickets", type=int, default=10,
                        help="people with a ticket solved after the roll-up ran")
    parser.add_argument("--quick", action="store_true",
                        help="100,000 responses, 3 runs: checks the set-up (run_all --quick)")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.runs = min(args.rows, 100_000), min(args.runs, 3)
    print(f"{args.rows:,} responses over a year, 1% quarantined; median of {args.runs} runs;"
          f" {args.tail:,} more after the roll-up ran, one day dirty,"
          f" {args.recent_tickets} people with a ticket solved since")
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
            site_id, rollup_seconds = seed(url, args.rows, args.tail, args.recent_tickets)
            print(f"SQLite seeded in {time.perf_counter() - started:.0f} s; "
                  f"roll-up first run {rollup_seconds * 1000:.0f} ms")
            record("SQLite", rollup_seconds, *measure("SQLite", url, site_id, args.runs))

    if not args.skip_postgres:
        _postgres(args.rows, args.tail, args.recent_tickets, args.runs, record)
    emit("metrics_1m", figures, quick=args.quick,
         notes="nps_report in process; medians; roll-up populated, "
               f"{args.tail:,}-row raw tail, one dirty day, {args.recent_tickets} people "
               "with a ticket solved since")


def _postgres(rows: int, tail: int, recent_tickets: int, runs: int,
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
        site_id, rollup_seconds = seed(url, rows, tail, recent_tickets)
        print(f"\nPostgreSQL seeded in {time.perf_counter() - started:.0f} s; "
              f"roll-up first run {rollup_seconds * 1000:.0f} ms")
        record("PostgreSQL", rollup_seconds, *measure("PostgreSQL", url, site_id, runs))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
