"""The soak's delivery side: a webhook receiver, job workers, and their two faults.

Every acknowledged answer emits ``response.created``; the workers deliver it to our receiver.
Faults: the receiver goes down for a while (every event must arrive once it is back), and a
worker is SIGKILLed while it delivers (the job must be completed later by another, once).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.harness import ROOT
from bench.soak_clients import post
from bench.soak_faults import Fault

LEASE_SECONDS = 5.0


class Receiver:
    """A webhook endpoint on loopback that can be taken down and brought back on its port."""

    def __init__(self) -> None:
        self.port = 0
        self.arrivals: list[tuple[float, str, Any]] = []  # (time, webhook-id, data.id)
        self.delay = 0.0
        self.in_flight = threading.Event()
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event = json.loads(body or b"{}")
                with receiver.lock:
                    receiver.arrivals.append((time.monotonic(), self.headers["webhook-id"],
                                              (event.get("data") or {}).get("id")))
                receiver.in_flight.set()
                time.sleep(receiver.delay)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def response_ids(self) -> dict[Any, int]:
        with self.lock:
            counts: dict[Any, int] = {}
            for _, _, response_id in self.arrivals:
                counts[response_id] = counts.get(response_id, 0) + 1
            return counts


@dataclass
class Delivery:
    env: dict[str, str]
    work: Path
    database_url: str
    receiver: Receiver = field(default_factory=Receiver)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    available: str = ""
    outage: tuple[float, float] | None = None
    killed_job: tuple[int, float] | None = None

    def start(self, collector_url: str, secret_key: str, count: int = 2) -> bool:
        self.available = missing_capability(collector_url)
        if self.available:
            return False
        self.receiver.start()
        answer = post(collector_url, "/v1/webhooks", json.dumps({
            "url": f"http://127.0.0.1:{self.receiver.port}/hook",
            "events": ["response.created"]}).encode(),
            {"Content-Type": "application/json", "Authorization": f"Bearer {secret_key}"})
        if answer.status != 201:
            self.available = f"creating the webhook endpoint answered {answer.status}"
            return False
        for _ in range(count):
            self.start_worker()
        return True

    def start_worker(self) -> None:
        log = open(self.work / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115
        # The real `tenpoint worker`, with a short lease so a killed worker's job is taken
        # over within seconds; its "Worker <id> running" line maps locked_by to it.
        self.workers.append(subprocess.Popen(
            [sys.executable, "-c", "from collector.cli import main; main()", "worker",
             "--poll", "0.2"], cwd=ROOT,
            env={**self.env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
                 "TENPOINT_JOB_LEASE_SECONDS": f"{LEASE_SECONDS:g}"}, stdout=log, stderr=log))

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.receiver.stop()

    def receiver_outage(self, down_for: float) -> None:
        start = time.monotonic()
        self.receiver.stop()
        time.sleep(down_for)
        self.receiver.start()
        self.outage = (start, time.monotonic())

    def kill_worker_mid_job(self, timeout: float = 30) -> None:
        """Slow the receiver, wait for a delivery in flight, SIGKILL the worker holding it."""
        self.receiver.delay = 3.0
        killed = None
        deadline = time.monotonic() + timeout
        while killed is None and time.monotonic() < deadline:
            self.receiver.in_flight.clear()
            if not self.receiver.in_flight.wait(max(0.0, deadline - time.monotonic())):
                break
            job = self._running_delivery()
            if job is not None:
                killed = self._kill_owner(job)
        self.receiver.delay = 0.0
        if killed is None:
            self.faults.append(Fault("worker killed mid-job", False,
                                     "no delivery in flight to interrupt"))
            return
        self.killed_job = killed
        self.start_worker()  # the replacement, as a supervisor would start one

    def _running_delivery(self) -> tuple[int, str] | None:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                row = connection.execute(text(
                    "SELECT id, locked_by FROM jobs WHERE kind = 'webhook.deliver' AND "
                    "status = 'running' ORDER BY id LIMIT 1")).first()
                return (int(row[0]), str(row[1])) if row else None
        finally:
            engine.dispose()

    def _kill_owner(self, job: tuple[int, str]) -> tuple[int, float] | None:
        job_id, worker_id = job
        for index, process in enumerate(self.workers):
            log = (self.work / f"worker-{index}.log").read_text(errors="replace")
            if process.poll() is None and re.search(rf"Worker {re.escape(worker_id)} running",
                                                    log):
                os.kill(process.pid, signal.SIGKILL)
                process.wait(5)
                return job_id, time.monotonic()
        return None

    def wait_for(self, response_ids: set[int], timeout: float) -> float | None:
        """Seconds until every response's event arrived (None: some never did)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if response_ids <= set(self.receiver.response_ids()):
                return time.monotonic() - started
            time.sleep(0.5)
        return None

    def verdicts(self, response_ids: set[int], waited: float | None,
                 wait_budget: float) -> list[Fault]:
        if self.available:
            return [Fault("webhook receiver down for a while", None,
                          f"not yet available: {self.available}"),
                    Fault("worker killed mid-job", None, f"not yet available: {self.available}")]
        received = self.receiver.response_ids()
        missing = response_ids - set(received)
        repeated = sum(1 for rid in response_ids if received.get(rid, 0) > 1)
        faults = list(self.faults)
        if self.outage is not None:
            start, end = self.outage
            arrived = "all arrived" if not missing else f"{len(missing)} never arrived"
            after = f" within {waited:.0f} s of the clients stopping" if waited is not None \
                else f" (waited {wait_budget:.0f} s)"
            faults.insert(0, Fault(
                "webhook receiver down for a while", not missing,
                f"receiver down {end - start:.1f} s; {len(response_ids)} response.created "
                f"events; {arrived}{after}; {repeated} delivered more than once (same "
                f"webhook-id, receivers drop those)"))
        if self.killed_job is not None:
            faults.append(self._killed_job_verdict(self.killed_job[0]))
        return faults

    def _killed_job_verdict(self, job_id: int) -> Fault:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                status, attempts, event_id = connection.execute(text(
                    "SELECT status, attempts, payload->'event'->>'id' FROM jobs WHERE id = :id"),
                    {"id": job_id}).one()
                successes = connection.execute(text(
                    "SELECT count(*) FROM webhook_deliveries WHERE event_id = :e AND "
                    "status_code BETWEEN 200 AND 299"), {"e": event_id}).scalar_one()
        finally:
            engine.dispose()
        arrivals = sum(1 for _, wid, _ in self.receiver.arrivals if wid == event_id)
        return Fault(
            "worker killed mid-job", status == "done" and successes == 1,
            f"SIGKILL while delivering job {job_id}; a replacement worker reclaimed it after "
            f"the {LEASE_SECONDS:g} s lease: job {status} after {attempts} attempts, "
            f"{successes} recorded successful delivery, the receiver saw its webhook-id "
            f"{arrivals} times (the killed attempt had reached it)")


def missing_capability(collector_url: str) -> str:
    """Empty when webhooks and the job worker exist; else what is missing."""
    if importlib.util.find_spec("collector.delivery.worker") is None:
        return "no collector.delivery.worker (issue 8)"
    try:
        with urllib.request.urlopen(collector_url + "/openapi.json", timeout=10) as answer:
            paths = json.load(answer).get("paths", {})
    except OSError as error:
        return f"cannot read /openapi.json: {error}"
    return "" if "/v1/webhooks" in paths else "no /v1/webhooks endpoint (issue 8)"
