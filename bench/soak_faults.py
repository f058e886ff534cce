"""The soak's faults and cross-instance checks, each returning what happened as a ``Fault``."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from bench.services import PrivatePostgres, PrivateRedis
from bench.soak_clients import SURVEY, ClientPlan, Tally, post

AFTERMATH = 3.0  # seconds after a fault ends that still count as its window


@dataclass
class Fault:
    name: str
    ok: bool | None  # None: could not be run (a capability not available yet)
    outcome: str


def _window(tally: Tally, start: float, end: float) -> dict[str, int]:
    with tally.lock:
        counts: dict[str, int] = {}
        for moment, status in tally.timeline:
            if start <= moment < end:
                counts[status] = counts.get(status, 0) + 1
        return counts


def _server_errors(counts: dict[str, int]) -> int:
    return sum(n for status, n in counts.items()
               if status.split()[-1].startswith("5") and status.split()[-1] != "503")


def _first_ack_after(tally: Tally, moment: float) -> float | None:
    with tally.lock:
        later = [t for t, status in tally.timeline if t >= moment and status == "201"]
    return min(later) - moment if later else None


def _health(url: str) -> str:
    """What a load balancer's health check sees: the status and its Retry-After."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:
            return str(answer.status)
    except urllib.error.HTTPError as error:
        return f"{error.code} (Retry-After {error.headers.get('Retry-After')})"
    except OSError as error:
        return f"no answer ({error})"


def restart_postgres(pg: PrivatePostgres, plan: ClientPlan, tally: Tally,
                     down_for: float = 2.0) -> Fault:
    """Stop PostgreSQL (fast: every connection cut), keep it down a moment, start it again."""
    start = time.monotonic() - plan.started
    pg.stop("fast")
    health = _health(plan.collectors[0])
    time.sleep(down_for)
    pg.start()
    end = time.monotonic() - plan.started
    time.sleep(AFTERMATH)
    counts = _window(tally, start, end + AFTERMATH)
    recovery = _first_ack_after(tally, end)
    errors = _server_errors(counts)
    recovered = "never" if recovery is None else f"{recovery:.1f} s"
    return Fault(
        "PostgreSQL restarted mid-run", errors == 0 and recovery is not None,
        f"down {end - start:.1f} s; in that window and {AFTERMATH:g} s after: "
        f"{counts.get('503', 0)} x 503, {counts.get('connection_error', 0)} connection errors, "
        f"{errors} other 5xx, {counts.get('201', 0)} acknowledged; first acknowledgement "
        f"{recovered} after PostgreSQL was back; /healthz answered {health} while it was down")


def redis_outage(redis: PrivateRedis, plan: ClientPlan, tally: Tally, down_for: float) -> Fault:
    """Stop Redis (the rate-limit counters) for a while: submits must keep being answered."""
    start = time.monotonic() - plan.started
    redis.stop()
    time.sleep(down_for)
    end = time.monotonic() - plan.started
    redis.start()
    counts = _window(tally, start, end)
    errors = _server_errors(counts) + counts.get("503", 0)
    acknowledged = counts.get("201", 0)
    return Fault(
        "Redis stopped mid-run", errors == 0 and acknowledged > 0,
        f"down {end - start:.1f} s; meanwhile {acknowledged} acknowledged, "
        f"{counts.get('503', 0)} x 503, {_server_errors(counts)} other 5xx, "
        f"{counts.get('connection_error', 0)} connection errors")


def check_rate_limit(urls: list[str], publishable_key: str, limit: int) -> Fault:
    """One visitor, 3 x ``limit`` eligibility checks spread over every collector.

    With shared Redis counters exactly ``limit`` pass; per-process counters would let up to
    ``limit`` through each gunicorn worker of each collector.
    """
    time.sleep(3)  # TENPOINT_RATE_LIMIT_REDIS_RETRY=2: every process back on Redis
    visitor = f"10.99.{random.randrange(256)}.{random.randrange(1, 255)}"
    statuses: dict[int, int] = {}
    missing_retry_after = 0
    for n in range(3 * limit):
        body = json.dumps({"survey": SURVEY, "user_id": f"rate-limit-{n}"}).encode()
        answer = post(urls[n % len(urls)], f"/v1/eligibility?key={publishable_key}", body,
                      {"Content-Type": "text/plain", "X-Forwarded-For": visitor})
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        if answer.status == 429 and "retry-after" not in answer.headers:
            missing_retry_after += 1
    passed, limited = statuses.get(200, 0), statuses.get(429, 0)
    held = passed == limit and limited == 2 * limit and not missing_retry_after
    return Fault(
        f"rate limit across {len(urls)} collectors ({limit}/minute per visitor)", held,
        f"{3 * limit} checks from one visitor alternating collectors: {passed} answered, "
        f"{limited} x 429 ({missing_retry_after} without Retry-After); "
        f"other: { {k: v for k, v in statuses.items() if k not in (200, 429)} or 'none'}")
