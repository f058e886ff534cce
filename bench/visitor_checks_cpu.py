"""CPU per eligibility check in one process, first-time against returning visitors (issue 23).

The same four checks as ``visitor_checks.py`` (first-time and returning, named and automatic;
anonymous visitors sampled at 1 %), sent through the Flask test client on SQLite, timed with
``time.process_time``: CPU, not wall time, so a busy shared machine blurs it far less than a
throughput run. Rounds alternate the four checks; the figures are medians over rounds.

To compare with an older commit: ``git archive <rev> | tar -x -C /tmp/base``, copy this file
into ``/tmp/base/bench/`` and run it there with ``--no-hint`` if that commit predates the
``first_seen_at`` hint (it would refuse the field).

    python bench/visitor_checks_cpu.py [--quick] [--rounds N] [--checks N] [--no-hint]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import emit, figure
from collector import create_app
from collector.core.database import migrate
from collector.core.extensions import db
from tests.factories import make_site, make_survey

PAGE = "https://app.example.com/settings"
KNOWN = 300


def checks(hint: bool) -> dict[str, Any]:
    """Each check's body for request number ``n`` (first-time visitors are all new)."""
    new = {"locale": "en-US", **({"first_seen_at": "2026-12-04T12:00:00.000Z"} if hint else {})}
    unique = itertools.count()
    return {
        "first-time, named": lambda n: {"survey": "nps", "anonymous_id": f"anon-new-{next(unique)}",
                                        **new},
        "first-time, automatic": lambda n: {"url": PAGE, "anonymous_id":
                                            f"anon-new-{next(unique)}", **new},
        "returning, named": lambda n: {"survey": "nps", "user_id": f"known-{n % KNOWN}"},
        "returning, automatic": lambda n: {"url": PAGE, "user_id": f"known-{n % KNOWN}"},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--checks", type=int)
    parser.add_argument("--no-hint", action="store_true")
    args = parser.parse_args(argv)
    rounds, count = args.rounds or (2 if args.quick else 5), args.checks or (
        200 if args.quick else 1000)
    with tempfile.TemporaryDirectory(prefix="tenpoint-bench-") as work:
        url = f"sqlite:///{work}/cpu.db"
        migrate(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                          "RATE_LIMIT_ENABLED": False, "PUBLIC_URL": "http://collector.test"})
        with app.app_context():
            site = make_site(db.session, eligibility={"anonymous_rate": 0.01})
            make_survey(db.session, site.site_id, "nps")
        client = app.test_client()
        path = f"/v1/eligibility?key={site.publishable}"
        for n in range(KNOWN):  # shown once: from now on ``recently_surveyed``
            client.post(path, json={"survey": "nps", "user_id": f"known-{n}"})
        bodies = checks(not args.no_hint)
        spent: dict[str, list[float]] = {name: [] for name in bodies}
        for _ in range(rounds + 1):  # the first round warms up and is dropped
            for name, body in bodies.items():
                started = time.process_time()
                for n in range(count):
                    client.post(path, json=body(n))
                spent[name].append((time.process_time() - started) / count * 1000)
    figures = [figure(f"{name}: CPU per check", median(values[1:]), "ms")
               for name, values in spent.items()]
    emit("visitor_checks_cpu", figures, quick=args.quick, notes=(
        f"in process (Flask test client), SQLite, rate limits off; {rounds} rounds of {count} "
        "checks each, medians; anonymous visitors sampled at 1 %"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
