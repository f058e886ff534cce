"""CPU per answer of the display-token checks (issue 22), next to the submit they sit in, and
the widget's gzipped size.

In one process, no network: each answer is a direct WSGI call into a collector on SQLite
with bot verdicts on (bench/hot_path_cpu.py's ``call``). Rounds alternate three kinds of
browser answer so drift hits each alike:

- ``script``: no token (quarantined ``no_display``): the submit as it was before tokens,
  plus reading an absent token;
- ``widget``: a valid token: HMAC check, the single-use INSERT … RETURNING, server timing;
- ``replay``: a token already used (quarantined ``display_reused``).

It also times the pure parts alone (issuing a token, reading one, classifying a new user
agent string with ua-parser and crawlerdetect, verifying a proof of work, and finding one
natively as an attacker would) and prints the widget's size against the 6.5 KB budget of
issue 22.

    .venv/bin/python bench/display_tokens.py [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import emit, figure, median, workspace
from bench.hot_path_cpu import call
from collector import create_app
from collector.core.database import migrate
from collector.core.extensions import db
from collector.protection.display_tokens import issue_token, read_token
from collector.protection.proof_of_work import MAX_NUMBER, challenge_for, solved
from collector.protection.user_agents import classify
from collector.protection.verdicts import fingerprint
from tests.collector.protection.conftest import solve
from tests.factories import make_site, make_survey
from widget.build import OUT, build, snippet

UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.0.0 Safari/537.36")
BUDGET = int(6.5 * 1024)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class SteppingClock:
    """Ten seconds pass between answers, so none is too fast."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=10)
        return self.now


def cpu_per_call(fn: Callable[[int], None], count: int) -> float:
    """Median over five runs of ``count`` calls, in microseconds of process CPU per call."""
    runs = []
    for run in range(5):
        started = time.process_time()
        for n in range(count):
            fn(run * count + n)
        runs.append((time.process_time() - started) / count * 1e6)
    return median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer answers per round")
    args = parser.parse_args()
    per_round = 40 if args.quick else 200
    with workspace() as folder:
        url = f"sqlite:///{folder / 'bench.db'}"
        migrate(url)
        clock = SteppingClock()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "CLOCK": clock,
                          "BOT_VERDICTS": True, "RATE_LIMIT_ENABLED": False,
                          "PUBLIC_URL": "http://bench", "LOG_LEVEL": "WARNING"})
        with app.app_context():
            keys = make_site(db.session, "bench")
            make_survey(db.session, keys.site_id)
            from collector.models import Survey
            survey_id = db.session.query(Survey.id).filter_by(site_id=keys.site_id).scalar()
        secret = app.config["SECRET_KEY"]
        print_ = fingerprint(secret, "127.0.0.1", UA, "en")
        headers = {"User-Agent": UA, "Accept-Language": "en", "Content-Type": "text/plain",
                   "Origin": "https://app.example.com"}
        path = f"/v1/responses?key={keys.publishable}"
        used: list[str] = []

        def answer(token: str | None, visitor: str) -> None:
            body = {"survey": "nps", "score": 9, "anonymous_id": visitor,
                    "signals": {"webdriver": False, "elapsed_ms": 5000, "honeypot": ""}}
            if token:
                body["display_token"] = token
            status = call(app, "POST", path, json.dumps(body).encode(), headers)
            assert status == 201, status

        def fresh(visitor: str) -> str:
            return issue_token(secret, keys.site_id, survey_id, f"a:{visitor}", print_,
                               clock.now, uuid.uuid4().bytes[:12])

        def script(n: int) -> None:
            answer(None, f"script-{n:08d}")

        def widget(n: int) -> None:
            visitor = f"widget-{n:08d}"
            token = fresh(visitor)  # made by the eligibility answer, outside this count
            used.append(token)
            answer(token, visitor)

        def replay(n: int) -> None:
            answer(used[n % len(used)], f"widget-{n % len(used):08d}")

        for warm in range(20):
            script(10_000_000 + warm)
            widget(10_000_000 + warm)
        results: dict[str, list[float]] = {"script": [], "widget": [], "replay": []}
        for round_ in range(3):
            base = round_ * 100_000
            for name, kind in (("script", script), ("widget", widget), ("replay", replay)):
                results[name].append(cpu_per_call(
                    lambda n, kind=kind, base=base: kind(base + n), per_round // 5))
        submit = {name: median(values) for name, values in results.items()}

    token = issue_token("s", 1, 7, "a:visitor", print_, START, b"n" * 12)
    issue_us = cpu_per_call(lambda n: issue_token("s", 1, 7, "a:v", print_, START,
                                                  n.to_bytes(12, "big")), 2000)
    read_us = cpu_per_call(lambda n: read_token("s", 1, token, survey_id=7, visitor="a:visitor",
                                                fingerprint=print_, now=START), 2000)
    classify.cache_clear()
    new_agent_us = cpu_per_call(lambda n: classify(f"{UA} Build/{n}"), 200)
    # Proof of work: the server's check of one solution, and an attacker's cost of finding
    # one natively (hashlib's C SHA-256; the average case, half of MAX_NUMBER).
    work = challenge_for("s", "token-id", number=MAX_NUMBER // 2)
    solution = solve(work)
    verify_us = cpu_per_call(lambda n: solved("s", "token-id", solution), 500)
    started = time.process_time()
    solve(work)
    solve_ms = (time.process_time() - started) * 1000

    build()
    parts = [snippet().encode(), (OUT / "widget.js").read_bytes()]
    widget_gz = sum(len(gzip.compress(part, 9, mtime=0)) for part in parts)

    print(f"{'browser answer':<34}{'CPU µs':>10}")
    for name, value in submit.items():
        print(f"{'submit, ' + name:<34}{value:>10.0f}")
    print(f"{'token checks (widget - script)':<34}{submit['widget'] - submit['script']:>10.0f}")
    print(f"{'issue a token':<34}{issue_us:>10.1f}")
    print(f"{'read a token':<34}{read_us:>10.1f}")
    print(f"{'classify a new user agent':<34}{new_agent_us:>10.0f}")
    print(f"{'verify a proof of work':<34}{verify_us:>10.1f}")
    print(f"{'find one natively (ms, average)':<34}{solve_ms:>10.1f}")
    print(f"{'snippet + widget.js gzipped':<34}{widget_gz:>10} bytes (budget {BUDGET})")
    emit("display_tokens", [
        figure("submit without a token (CPU)", submit["script"], "us"),
        figure("submit with a valid token (CPU)", submit["widget"], "us",
               baseline=submit["script"]),
        figure("submit with a used token (CPU)", submit["replay"], "us",
               baseline=submit["script"]),
        figure("issue a token (CPU)", issue_us, "us"),
        figure("read a token (CPU)", read_us, "us"),
        figure("classify a new user agent (CPU)", new_agent_us, "us"),
        figure("verify a proof of work (CPU)", verify_us, "us"),
        figure("find a proof of work natively, average (CPU)", solve_ms, "ms"),
        figure("snippet+widget.js gzipped", widget_gz, "bytes", baseline=BUDGET,
               ok=widget_gz <= BUDGET),
    ], quick=args.quick)


if __name__ == "__main__":
    main()
