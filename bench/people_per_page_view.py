"""Rows in ``people`` per 10,000 page views at a 1 % sample: storage that grows with surveys,
not with the host product's traffic (issue 23, docs/eligibility.md, "What a check writes").

10,000 first-time anonymous visitors each make the widget's default request (URL only, with
the first-seen hint) on a site sampling 1 %. Goal: as many people stored as surveys shown,
not one per visitor. A count, not a timing: the same on every machine (the survey's salt is
fixed, so the same visitors are drawn on every run). In process, through the test client.

    python bench/people_per_page_view.py [--quick] [--page-views N] [--rate R]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask
from sqlalchemy import func, select, update

from bench.harness import emit, figure
from collector import create_app
from collector.core.database import migrate
from collector.core.extensions import db
from collector.eligibility.rules import sample_draw
from collector.models import Contact, Person, Survey
from tests.factories import make_site, make_survey

PAGE = "https://app.example.com/settings"
SALT = "bench-people-per-page-view"


@dataclass(frozen=True)
class Counts:
    page_views: int
    displays: int
    expected_displays: int
    people: int
    contacts: int


def visitor(number: int) -> str:
    return f"visitor-{number:08d}"


def count_rows(app: Flask, *, page_views: int = 10_000, rate: float = 0.01) -> Counts:
    """``page_views`` automatic checks from as many new anonymous visitors on a fresh site of
    ``app`` (an empty database) sampling at ``rate``; what they leave in the database."""
    with app.app_context():
        site = make_site(db.session, eligibility={"sample_rate": rate})
        make_survey(db.session, site.site_id, "nps")
        db.session.execute(update(Survey).values(salt=SALT))
        db.session.commit()
    client = app.test_client()
    seen = datetime.now(UTC).isoformat()
    displays = 0
    for number in range(page_views):
        answer = client.post(f"/v1/eligibility?key={site.publishable}", json={
            "url": PAGE, "anonymous_id": visitor(number), "locale": "en",
            "first_seen_at": seen})
        if answer.status_code != 200:
            raise RuntimeError(f"page view {number}: {answer.status_code} {answer.get_json()}")
        displays += bool(answer.get_json()["eligible"])
    expected = sum(sample_draw(SALT, f"anon:{visitor(n)}") < rate for n in range(page_views))
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(Person)) or 0
        contacts = db.session.scalar(select(func.count()).select_from(Contact)) or 0
    return Counts(page_views, displays, expected, people, contacts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 page views")
    parser.add_argument("--page-views", type=int)
    parser.add_argument("--rate", type=float, default=0.01)
    args = parser.parse_args(argv)
    page_views = args.page_views or (1_000 if args.quick else 10_000)
    with tempfile.TemporaryDirectory(prefix="tenpoint-bench-") as work:
        url = f"sqlite:///{work}/people.db"
        migrate(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                          "RATE_LIMIT_ENABLED": False, "PUBLIC_URL": "http://collector.test"})
        counts = count_rows(app, page_views=page_views, rate=args.rate)
    per_10k = 10_000 / counts.page_views
    emit("people_per_page_view", [
        figure("rows in people per 10,000 page views", counts.people * per_10k, "rows",
               goal=f"= displays ({counts.displays * per_10k:g})",
               ok=counts.people == counts.displays),
        figure("surveys shown per 10,000 page views", counts.displays * per_10k, "displays",
               baseline=counts.expected_displays * per_10k),
        figure("rows in contacts per 10,000 page views", counts.contacts * per_10k, "rows"),
    ], notes=(f"{counts.page_views:,} automatic checks from new anonymous visitors, sample rate "
              f"{args.rate:g}, SQLite, in process; baseline: the displays the sampling hash "
              "predicts"), quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
