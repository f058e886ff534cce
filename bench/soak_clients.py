"""Soak clients: submit answers to several collectors, retrying with idempotency keys.

A client behaves like the widget or the SDK should: the same body under the same
``Idempotency-Key`` until an answer arrives; 503 and 429 wait for ``Retry-After``; a dropped
connection backs off and retries, possibly on the other collector (as a load balancer would).
Every answer is tallied, and every acknowledged id is kept so the end of the soak can check
the database holds each exactly once.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SURVEY = "product-nps"


@dataclass
class Tally:
    """Everything the clients saw, shared by their threads under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[str] = field(default_factory=Counter)
    attempts: int = 0
    acknowledged: dict[str, int] = field(default_factory=dict)  # id -> response id
    abandoned: set[str] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)
    replays_ok: int = 0
    replay_mismatches: list[str] = field(default_factory=list)
    timeline: list[tuple[float, str]] = field(default_factory=list)  # (t, status)

    def record(self, started: float, status: str) -> None:
        with self.lock:
            self.attempts += 1
            self.statuses[status] += 1
            self.timeline.append((time.monotonic() - started, status))

    def violation(self, text: str) -> None:
        with self.lock:
            if len(self.violations) < 50:
                self.violations.append(text)

    def acknowledged_between(self, start: float, end: float, status: str = "201") -> int:
        with self.lock:
            return sum(1 for t, s in self.timeline if start <= t < end and s == status)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, object]


def post(base_url: str, path: str, body: bytes, headers: dict[str, str],
         timeout: float = 10) -> Answer:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:200].decode(errors="replace")}
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        connection.close()


@dataclass
class ClientPlan:
    collectors: list[str]
    publishable_key: str
    run_id: str
    deadline: float          # monotonic time after which no new answer is started
    give_up: float           # monotonic time after which retries stop
    max_requests: int        # new answers, across all clients
    replay_share: float = 0.1
    started: float = field(default_factory=time.monotonic)
    issued: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self, client: int) -> str | None:
        """The next answer's id, paced so that answers spread over the whole run.

        Unpaced, a fast machine would send every answer before the first fault.
        """
        with self.lock:
            if self.issued >= self.max_requests or time.monotonic() > self.deadline:
                return None
            self.issued += 1
            number = self.issued
        interval = (self.deadline - self.started) / self.max_requests
        time.sleep(max(0.0, self.started + number * interval - time.monotonic()))
        return f"soak-{self.run_id}-{client}-{number}"


def submit_until_answered(plan: ClientPlan, tally: Tally, client: int, ident: str,
                          rng: random.Random) -> None:
    """Send one answer until the collector acknowledges it, or the soak gives up."""
    body = json.dumps({"survey": SURVEY, "score": rng.randint(0, 10), "user_id": ident,
                       "comment": "soak", "signals": {"webdriver": False, "elapsed_ms": 5000,
                                                      "honeypot": ""}}).encode()
    path = f"/v1/responses?key={plan.publishable_key}&idempotency_key={ident}"
    headers = {"Content-Type": "text/plain", "X-Forwarded-For": f"10.77.{client}.1"}
    target = client % len(plan.collectors)
    backoff = 0.2
    while time.monotonic() < plan.give_up:
        url = plan.collectors[target]
        try:
            answer = post(url, path, body, headers)
        except (OSError, http.client.HTTPException):
            tally.record(plan.started, "connection_error")
            target = (target + 1) % len(plan.collectors)
            time.sleep(backoff + rng.random() * backoff)
            backoff = min(backoff * 2, 2.0)
            continue
        status = answer.status
        tally.record(plan.started, str(status))
        if status == 201:
            response_id = int(answer.body.get("id", -1))  # type: ignore[call-overload]
            with tally.lock:
                tally.acknowledged[ident] = response_id
            if rng.random() < plan.replay_share:
                replay(plan, tally, url=plan.collectors[(target + 1) % len(plan.collectors)],
                       path=path, body=body, headers=headers, ident=ident,
                       response_id=response_id)
            return
        retry_after = answer.headers.get("retry-after")
        if status in (429, 503):
            if retry_after is None:
                tally.violation(f"{status} without Retry-After from {url}")
            time.sleep(min(float(retry_after or 1), 5) * (0.5 + rng.random()))
            continue
        if status >= 500:
            tally.violation(f"{status} {answer.body} from {url}")
            time.sleep(backoff)
            continue
        tally.violation(f"unexpected {status} {answer.body} for {ident}")
        break
    with tally.lock:
        tally.abandoned.add(ident)


def replay(plan: ClientPlan, tally: Tally, *, url: str, path: str, body: bytes,
           headers: dict[str, str], ident: str, response_id: int) -> None:
    """Send an acknowledged answer again to the other collector: as if the answer was lost."""
    try:
        answer = post(url, path, body, headers)
    except (OSError, http.client.HTTPException):
        return  # the fault schedule may have the database down; the check is best effort
    tally.record(plan.started, f"replay {answer.status}")
    if answer.status != 201:
        return
    with tally.lock:
        if answer.headers.get("idempotent-replayed") == "true" and answer.body.get(
                "id") == response_id:
            tally.replays_ok += 1
        else:
            tally.replay_mismatches.append(ident)


def run_clients(plan: ClientPlan, count: int, *, tally: Tally, seed: int = 10) -> Tally:

    def loop(client: int) -> None:
        rng = random.Random(seed * 1000 + client)
        while (ident := plan.next_id(client)) is not None:
            submit_until_answered(plan, tally, client, ident, rng)

    threads = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally
