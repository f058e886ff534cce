"""Soak and faults (``make soak``): two collectors, one PostgreSQL, one Redis, faults mid-run.

Starts a private PostgreSQL and a private redis-server (restarting them disturbs nobody), two
gunicorn collectors on free loopback ports sharing them, and concurrent clients that retry
with idempotency keys. While they run: PostgreSQL is restarted, Redis is stopped and started.
Then: a rate limit is checked across both collectors, and (when the job worker and webhooks
exist) a webhook receiver goes down for a while and a worker is killed mid-job.

At the end the database is counted: every acknowledged answer stored exactly once, nothing
lost; no 5xx but 503 with ``Retry-After``. Bounded: ``--seconds`` and ``--requests``.

    python bench/soak.py [--quick] [--seconds 120] [--requests 5000] [--clients 8] [--no-doc]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from bench.harness import (
    ROOT,
    Server,
    collector_env,
    emit,
    figure,
    markdown_table,
    running,
    seed_demo,
    start_collectors,
    update_doc,
    workspace,
)
from bench.services import PrivatePostgres, PrivateRedis
from bench.soak_clients import ClientPlan, Tally, run_clients
from bench.soak_delivery import Delivery
from bench.soak_faults import Fault, check_rate_limit, redis_outage, restart_postgres

RELIABILITY = ROOT / "docs" / "reliability.md"
DEPLOYMENT = ROOT / "docs" / "deployment.md"
RATE_LIMIT = 20
SETTINGS = {
    # Clients arrive through a load balancer that names them in X-Forwarded-For.
    "TENPOINT_TRUSTED_PROXIES": "1",
    "TENPOINT_RATE_LIMIT_ENABLED": "1",
    # Submits must not trip during the soak; eligibility carries the cross-instance check.
    "TENPOINT_RATE_LIMIT_SUBMIT": "ip=100000/minute;key=1000000/minute;site=1000000/minute",
    "TENPOINT_RATE_LIMIT_ELIGIBILITY":
        f"ip={RATE_LIMIT}/minute;key=1000000/minute;site=1000000/minute",
    # Back to the shared counters soon after Redis returns (default 30 s).
    "TENPOINT_RATE_LIMIT_REDIS_RETRY": "2",
    "TENPOINT_WEBHOOK_ALLOW_PRIVATE": "1",
}


def stored_answers(database_url: str, run_id: str) -> dict[str, list[int]]:
    """Response ids stored per soak answer (its user_id), straight from PostgreSQL."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT p.external_id, r.id FROM responses r JOIN people p ON p.id = r.person_id"
                " WHERE p.external_id LIKE :prefix"), {"prefix": f"soak-{run_id}-%"})
            stored: dict[str, list[int]] = {}
            for ident, response_id in rows:
                stored.setdefault(ident, []).append(response_id)
            return stored
    finally:
        engine.dispose()


def account(tally: Tally, stored: dict[str, list[int]]) -> dict[str, Any]:
    acknowledged = tally.acknowledged
    lost = sorted(set(acknowledged) - set(stored))
    wrong_id = sorted(i for i in set(acknowledged) & set(stored)
                      if acknowledged[i] not in stored[i])
    return {
        "attempts": tally.attempts,
        "answers": len(acknowledged) + len(tally.abandoned),
        "acknowledged": len(acknowledged),
        "stored": len(stored),
        "duplicates": sum(len(ids) - 1 for ids in stored.values()),
        "lost": len(lost),
        "lost_examples": lost[:5],
        "acknowledged_id_mismatch": len(wrong_id),
        "abandoned": len(tally.abandoned),
        "stored_but_abandoned": len(set(stored) & tally.abandoned),
        "replays_ok": tally.replays_ok,
        "replay_mismatches": len(tally.replay_mismatches),
        "statuses": dict(sorted(tally.statuses.items())),
        "violations": tally.violations,
    }


def schedule(faults: list[Fault], plan: ClientPlan, pg: PrivatePostgres, redis: PrivateRedis,
             tally: Tally, delivery: Delivery, seconds: float) -> threading.Thread:
    """The faults, one after another, at fixed shares of the run."""

    def at(share: float) -> None:
        time.sleep(max(0.0, plan.started + seconds * share - time.monotonic()))

    def run() -> None:
        at(0.2)
        faults.append(restart_postgres(pg, plan, tally))
        if not delivery.available:
            at(0.35)
            delivery.receiver_outage(down_for=seconds * 0.12)
        at(0.5)
        faults.append(redis_outage(redis, plan, tally, down_for=seconds * 0.15))
        if not delivery.available:
            at(0.75)
            delivery.kill_worker_mid_job()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def soak(args: argparse.Namespace) -> tuple[dict[str, Any], list[Fault]]:
    run_id = uuid.uuid4().hex[:8]
    pg, redis = PrivatePostgres().start(), PrivateRedis().start()
    try:
        with workspace("tenpoint-soak-") as work:
            env = collector_env(pg.url, work / "instance", redis_url=redis.url, extra=SETTINGS)
            keys = seed_demo(env)
            collectors = start_collectors(args.instances, env, work)
            delivery = Delivery(env, work, pg.url)
            with running(*collectors):
                urls = [server.url for server in collectors]
                delivery.start(urls[0], keys["secret_key"])
                now = time.monotonic()
                plan = ClientPlan(urls, keys["publishable_key"], run_id,
                                  deadline=now + args.seconds, give_up=now + args.seconds + 30,
                                  max_requests=args.requests)
                faults: list[Fault] = []
                tally = Tally()
                faults_thread = schedule(faults, plan, pg, redis, tally, delivery, args.seconds)
                try:
                    run_clients(plan, args.clients, tally=tally)
                    faults_thread.join(timeout=120)
                    faults.append(check_rate_limit(urls, keys["publishable_key"], RATE_LIMIT))
                    response_ids = set(tally.acknowledged.values())
                    waited = None if delivery.available else delivery.wait_for(
                        response_ids, args.delivery_wait)
                    faults += delivery.verdicts(response_ids, waited, args.delivery_wait)
                finally:
                    delivery.stop()
                for server in collectors:
                    tally.violations += server_errors(server)
            summary = account(tally, stored_answers(pg.url, run_id))
    finally:
        redis.stop()
        pg.destroy()
    return summary, faults


def server_errors(server: Server) -> list[str]:
    """Tracebacks the collectors logged: a 500 the clients may not have seen."""
    text_ = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
    return [f"{server.name} logged an unhandled error"] if "unhandled error" in text_ else []


def report(summary: dict[str, Any], faults: list[Fault], args: argparse.Namespace,
           started_at: str) -> None:
    five_hundreds = sum(n for s, n in summary["statuses"].items()
                        if s.split()[-1].startswith("5") and s.split()[-1] != "503")
    counts = [("answers started", summary["answers"]), ("HTTP attempts", summary["attempts"]),
              ("acknowledged (201)", summary["acknowledged"]), ("stored", summary["stored"]),
              ("duplicates", summary["duplicates"]), ("lost (acknowledged, not stored)",
                                                      summary["lost"]),
              ("abandoned by clients (never acknowledged)", summary["abandoned"]),
              ("  of which stored anyway", summary["stored_but_abandoned"]),
              ("replays to the other collector answered with the same id",
               summary["replays_ok"]),
              ("replays answered differently", summary["replay_mismatches"]),
              ("5xx other than 503", five_hundreds),
              ("protocol violations", len(summary["violations"]))]
    statuses = ", ".join(f"{s}: {n}" for s, n in summary["statuses"].items())
    fault_rows = [(f.name, "yes" if f.ok else ("n/a" if f.ok is None else "**no**"), f.outcome)
                  for f in faults]
    body = (f"_Soak run {started_at}: {args.instances} collectors (gunicorn 2 workers x 4 "
            f"threads each), {args.clients} clients, at most {args.requests} answers in "
            f"{args.seconds:g} s{' (quick run)' if args.quick else ''}._\n\n"
            + markdown_table(("count", "value"), counts)
            + f"\n\nAnswers by HTTP status (every attempt): {statuses}.\n\n"
            + markdown_table(("fault / check", "held", "outcome"), fault_rows))
    if summary["violations"]:
        body += "\n\nViolations:\n\n" + "\n".join(f"- `{v}`" for v in summary["violations"][:10])
    print("\n" + body + "\n", flush=True)
    if not args.no_doc:
        update_doc("soak", body, path=RELIABILITY)
        held = ", ".join(f"{f.name}: {'held' if f.ok else 'n/a' if f.ok is None else 'FAILED'}"
                         for f in faults)
        update_doc("soak-summary", (
            f"_{started_at}, {args.instances} collectors, {args.clients} clients, "
            f"{args.seconds:g} s{' (quick)' if args.quick else ''}:_ "
            f"{summary['acknowledged']} answers acknowledged, {summary['stored']} stored, "
            f"{summary['duplicates']} duplicates, {summary['lost']} lost, {five_hundreds} "
            f"5xx other than 503. Faults: {held}."), path=DEPLOYMENT)
    ok = not (summary["lost"] or summary["duplicates"] or five_hundreds or summary["violations"])
    emit("soak", [
        figure("acknowledged", summary["acknowledged"], "answers"),
        figure("stored", summary["stored"], "answers"),
        figure("duplicates", summary["duplicates"], "answers", goal="0",
               ok=not summary["duplicates"]),
        figure("lost", summary["lost"], "answers", goal="0", ok=not summary["lost"]),
        figure("5xx other than 503", five_hundreds, "answers", goal="0", ok=not five_hundreds),
        *[figure(f"fault: {f.name}", 1 if f.ok else 0, "held", ok=f.ok) for f in faults],
    ], notes="every acknowledged answer stored exactly once" if ok else "see violations",
        quick=args.quick)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about a minute in all")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--no-doc", action="store_true", help="do not touch the doc")
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (30 if args.quick else 120)
    args.requests = args.requests or (300 if args.quick else 5000)
    args.delivery_wait = 90.0 if args.quick else 180.0
    started_at = (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
                  f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    summary, faults = soak(args)
    report(summary, faults, args, started_at)
    failed = summary["lost"] or summary["duplicates"] or any(f.ok is False for f in faults)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
