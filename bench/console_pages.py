"""The console's pages over many answers: goal each page under 1 s at 100,000 answers.

Seeds N answers (default 100,000; a year, a third with comments, a ``plan`` property that is
not rolled up) into a fresh SQLite file, builds the daily roll-ups as the job would, signs in
with an admin key and times each screen through Flask's test client (the whole request:
query, template, headers), median of several runs, next to a baseline measured in the same
run: the sign-in form, which reads nothing.

    .venv/bin/python bench/console_pages.py [--rows 100000] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bench.harness import emit, figure
from collector import create_app
from collector.access.keys import create_key
from collector.analytics.rollup_builder import refresh_rollup
from collector.analytics.statistics import category_of
from collector.core.clock import now
from collector.core.database import migrate
from collector.core.extensions import db
from collector.models import Response, Site
from collector.surveys.definitions import create_survey

GOAL_SECONDS = 1.0
WORDS = ("slow", "checkout", "invoice", "great", "support", "price", "exports", "login",
         "mobile", "refund", "fast", "friendly")
PAGES: tuple[tuple[str, str], ...] = (
    ("overview, 90 days", "/console/"),
    ("overview, 365 days, by property", "/console/?days=365&property=plan"),
    ("responses, no filter", "/console/responses"),
    ("responses, comment search", "/console/responses?q=refund"),
    ("responses, property = value", "/console/responses?property=plan&value=pro"),
    ("responses, detractors at checkout", "/console/responses?category=detractor"
                                           "&touchpoint=checkout"),
    ("responses, 3rd page", ""),  # filled in with a real cursor
    ("quarantine", "/console/quarantine"),
)


def _seed(rows: int) -> tuple[object, str]:
    folder = Path(tempfile.mkdtemp(prefix="tenpoint-console-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate(url)
    app = create_app({"DATABASE_URL": url,
                      "SECRET_KEY": "bench", "PUBLIC_URL": "http://collector.test"})
    rng = random.Random(5)
    moment = now()
    with app.app_context():
        site = Site(slug="bench", name="Bench", allowed_origins=[], default_locale="en",
                    identity_secret="x" * 32, settings={}, created_at=moment)
        db.session.add(site)
        db.session.flush()
        survey = create_survey(db.session, site.id, key="nps", name="NPS", active=True,
                               now=moment, actor="bench",
                               config={"texts": {"en": {"question": "Recommend us?"}}})
        _, admin = create_key(db.session, site.id, "admin", moment)
        db.session.commit()
        batch: list[dict[str, object]] = []
        for number in range(rows):
            score = min(10, max(0, int(rng.gauss(7.6, 2.2))))
            comment = (" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
                       if number % 3 == 0 else None)
            batch.append({
                "site_id": site.id, "survey_id": survey.id,
                "survey_version_id": survey.current_version_id, "person_id": None,
                "score": score, "category": category_of(score), "comment": comment,
                "answers": {}, "locale": rng.choice(("en", "de", "fr")),
                "channel": rng.choice(("in_app", "email")),
                "touchpoint": rng.choice(("checkout", "support", "billing", None)),
                "properties": {"plan": rng.choice(("free", "pro", "team"))}, "value": None,
                "verdict": "quarantined" if rng.random() < 0.01 else "accepted",
                "verdict_reasons": ["too_fast"],
                "created_at": moment - timedelta(seconds=rng.randrange(31_536_000)),
                "updated_at": moment})
            if len(batch) == 20_000:
                db.session.execute(insert(Response), batch)
                batch = []
        if batch:
            db.session.execute(insert(Response), batch)
        db.session.commit()
        # As in production, where the roll-up job runs every few minutes.
        refresh_rollup(db.session, moment, settled=True)
        db.session.commit()
    return app, admin


def _median(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows, runs = (5_000, 2) if args.quick else (args.rows, args.runs)
    started = time.perf_counter()
    app, admin = _seed(rows)
    seeded = time.perf_counter() - started
    client = app.test_client()  # type: ignore[attr-defined]
    assert client.post("/console/sign-in", data={"key": admin}).status_code == 303
    html = client.get("/console/responses").get_data(as_text=True)
    second = re.search(r'href="([^"]+)" rel="next"', html)
    assert second is not None
    html = client.get(second.group(1).replace("&amp;", "&")).get_data(as_text=True)
    third = re.search(r'href="([^"]+)" rel="next"', html)
    assert third is not None
    pages = [(name, path or third.group(1).replace("&amp;", "&")) for name, path in PAGES]

    def fetch(path: str) -> Callable[[], object]:
        def run() -> object:
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            return answer.get_data()
        return run

    baseline = _median(lambda: client.get("/console/sign-in").get_data(), runs)
    figures = []
    for name, path in pages:
        fetch(path)()  # warm
        seconds = _median(fetch(path), runs)
        figures.append(figure(name, round(seconds, 3), "s", baseline=round(baseline, 4),
                              goal=f"< {GOAL_SECONDS} s", ok=seconds < GOAL_SECONDS))
    export = _median(fetch("/console/responses/export.csv?category=detractor"), max(1, runs // 2))
    figures.append(figure("export CSV, detractors", round(export, 3), "s",
                          baseline=round(baseline, 4)))
    emit("console_pages", figures, quick=args.quick,
         notes=f"{rows:,} answers on SQLite (seeded in {seeded:.0f} s), Flask test client, "
               f"median of {runs}; baseline: the sign-in form")


if __name__ == "__main__":
    main()
