"""The eligibility check's cost must not grow with stored history.

Two databases of the same kind, one holding 10 thousand responses and one holding 1 million
(with a matching contact history: one ``answered`` contact per response), are asked the same
``POST /v1/eligibility`` questions, alternately (A B A B…), in this process through the
Flask test client. Prints the median latency of each, and the slower/faster ratio against
the goal (at most 1.25). SQLite (a file in a temp dir) always; PostgreSQL when reachable
(a private database on ``TENPOINT_BENCH_POSTGRES_URL``, dropped afterwards).

    .venv/bin/python bench/eligibility_history.py            # 10k vs 1M
    .venv/bin/python bench/eligibility_history.py --quick    # 2k vs 50k, fewer rounds
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import create_engine, text

from bench.harness import emit, figure, median
from collector import create_app
from collector.access.keys import create_key
from collector.core.database import migrate
from collector.core.extensions import db
from collector.eligibility.decision_counts import discard_all
from collector.models import Site
from collector.surveys.definitions import create_survey

POSTGRES_URL = os.environ.get("TENPOINT_BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START = NOW - timedelta(days=3 * 365)
ANSWERS_PER_PERSON = 10
GOAL = 1.25


class Clock:
    """Each round moves a day on, so the same people are asked again on fresh terms."""

    def __init__(self) -> None:
        self.current = NOW

    def __call__(self) -> datetime:
        return self.current


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _seed(app: Flask, responses: int) -> str:
    """A site and survey, then ``responses`` answers (and contacts) from ``responses / 10``
    people, spread over three years, inserted by the database itself."""
    with app.app_context():
        site = Site(slug="bench", name="Bench", allowed_origins=[], default_locale="en",
                    identity_secret="x" * 32, settings={}, created_at=START)
        db.session.add(site)
        db.session.flush()
        _, raw = create_key(db.session, site.id, "publishable", START)
        survey = create_survey(
            db.session, site.id, key="nps", name="NPS", active=True, now=START, actor="bench",
            config={"texts": {"en": {"question": "How likely?"}},
                    "rules": {"recontact_days": 30, "daily_cap": 1000}})
        db.session.commit()
        site_id, survey_id, version_id = site.id, survey.id, survey.current_version_id
        postgres = db.engine.dialect.name == "postgresql"
        people = max(1, responses // ANSWERS_PER_PERSON)
        span = int((NOW - START).total_seconds())
        if postgres:
            seq = "FROM generate_series(0, :n - 1) AS s(x)"
            at = "(CAST(:start AS timestamp) + (x * :step) * interval '1 second')"
        else:
            seq = ("FROM (WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM s "
                   "WHERE x + 1 < :n) SELECT x FROM s)")
            at = "datetime(:start, '+' || (x * :step) || ' seconds')"
        params = {"site": site_id, "survey": survey_id, "version": version_id,
                  "start": _naive(START), "people": people}
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO people (site_id, external_id, properties, first_seen_at, "
                f"updated_at) SELECT :site, 'u-' || x, '{{}}', :start, :start {seq}"),
                {**params, "n": people})
            first_person = connection.execute(
                text("SELECT min(id) FROM people WHERE site_id = :site"), params).scalar()
            step = max(1, span // responses)
            connection.execute(text(
                "INSERT INTO responses (site_id, survey_id, survey_version_id, person_id, score,"
                " category, answers, channel, properties, verdict, verdict_reasons, created_at,"
                f" updated_at) SELECT :site, :survey, :version, :first + (x % :people),"
                f" x % 11, CASE WHEN x % 11 >= 9 THEN 'promoter' WHEN x % 11 >= 7 THEN"
                f" 'passive' ELSE 'detractor' END, '{{}}', 'in_app', '{{}}', 'accepted', '[]',"
                f" {at}, {at} {seq}"),
                {**params, "n": responses, "first": first_person, "step": step})
            connection.execute(text(
                "INSERT INTO contacts (site_id, person_id, survey_id, kind, channel, at)"
                f" SELECT :site, :first + (x % :people), :survey, 'answered', 'in_app', {at}"
                f" {seq}"), {**params, "n": responses, "first": first_person, "step": step})
        if postgres:
            # A bulk load leaves hint bits unset and no visibility map: the first reads of
            # each row would write. VACUUM brings the database to its steady state.
            with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        return raw


@contextmanager
def _databases(kind: str, workdir: Path) -> Iterator[tuple[str, str]]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir}/small.db", f"sqlite:///{workdir}/large.db"
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    names = [f"tp_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield tuple(admin.url.set(database=n).render_as_string(hide_password=False)
                    for n in names)  # type: ignore[misc]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _postgres_reachable() -> bool:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return False
    return True


def _round(app: Flask, key: str, people: list[str]) -> float:
    """Median seconds of one eligibility check over ``people``."""
    client = app.test_client()
    timings = []
    for person in people:
        started = time.perf_counter()
        response = client.post(f"/v1/eligibility?key={key}",
                               json={"survey": "nps", "user_id": person})
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_data(as_text=True)
    return median(timings)


def measure(kind: str, small: int, large: int, rounds: int, per_round: int,
            workdir: Path) -> dict[str, Any]:
    with _databases(kind, workdir) as (small_url, large_url):
        clock = Clock()
        apps, keys = [], []
        for url, size in ((small_url, small), (large_url, large)):
            migrate(url)
            app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "CLOCK": clock,
                              "PUBLIC_URL": "http://bench.test", "LOG_LEVEL": "WARNING",
                              "RATE_LIMIT_ENABLED": False})
            started = time.perf_counter()
            keys.append(_seed(app, size))
            print(f"{kind}: seeded {size:,} responses in {time.perf_counter() - started:.1f}s",
                  flush=True)
            apps.append(app)
        small_people = max(1, small // ANSWERS_PER_PERSON)
        # Known people with history (the same ids exist in both) and first-time visitors.
        medians: list[list[float]] = [[], []]
        for index in range(rounds):
            clock.current = NOW + timedelta(days=index)
            people = [f"u-{(index * per_round + i) % small_people}" for i in range(per_round)]
            people += [f"new-{index}-{i}" for i in range(per_round // 4)]
            for side in (0, 1) if index % 2 == 0 else (1, 0):
                medians[side].append(_round(apps[side], keys[side], people))
        for app in apps:
            with app.app_context():
                db.engine.dispose()
        discard_all()
        small_ms, large_ms = median(medians[0]) * 1000, median(medians[1]) * 1000
        slower, faster = max(small_ms, large_ms), min(small_ms, large_ms)
        return {"kind": kind, "small_ms": small_ms, "large_ms": large_ms,
                "ratio": slower / faster if faster else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2k vs 50k responses, 4 rounds")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    small, large = (2_000, 50_000) if args.quick else (10_000, 1_000_000)
    rounds, per_round = (4, 40) if args.quick else (10, 80)
    kinds = [] if args.postgres_only else ["sqlite"]
    if not args.sqlite_only and _postgres_reachable():
        kinds.append("postgresql")
    figures, results = [], []
    with tempfile.TemporaryDirectory(prefix="tenpoint-eligibility-") as tmp:
        for kind in kinds:
            result = measure(kind, small, large, rounds, per_round, Path(tmp))
            results.append(result)
            print(f"{kind:10s} {small:>9,} responses: {result['small_ms']:.2f} ms median | "
                  f"{large:>9,} responses: {result['large_ms']:.2f} ms median | "
                  f"slower/faster {result['ratio']:.3f} (goal <= {GOAL})", flush=True)
            figures.append(figure(f"eligibility check, {kind}, {large:,} vs {small:,} "
                                  "responses, slower/faster median latency",
                                  result["ratio"], "ratio", goal=f"<= {GOAL}",
                                  ok=result["ratio"] <= GOAL))
            figures.append(figure(f"eligibility check median, {kind}, {large:,} responses",
                                  result["large_ms"], "ms", baseline=result["small_ms"]))
    emit("eligibility_history", figures, quick=args.quick,
         notes="in-process test client; alternating rounds; medians of per-round medians")


if __name__ == "__main__":
    main()
