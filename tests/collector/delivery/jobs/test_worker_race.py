"""Several workers on PostgreSQL share one queue and never run the same job twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from sqlalchemy import select

from collector.core.extensions import db
from collector.delivery.jobs import enqueue, handler
from collector.models import AuditEntry, Job
from tests.factories import make_site

JOBS = 40


@handler("test.race")
def race(session: Any, payload: dict[str, Any], now: Any) -> None:
    time.sleep(0.002)  # widen the window in which two workers could collide
    session.add(AuditEntry(site_id=payload["site_id"], actor="test", action="race",
                           entity_type="job", entity_id=str(payload["n"]), changes={}, at=now))


def test_two_workers_deliver_each_job_exactly_once(pg_app, clock, make_worker):
    with pg_app.app_context():
        site = make_site(db.session, slug="race")
        for n in range(JOBS):
            enqueue(db.session, "test.race", {"n": n, "site_id": site.site_id}, now=clock(),
                    site_id=site.site_id)
        db.session.commit()
    workers = [make_worker(pg_app, clock, name=f"w{i}") for i in range(2)]
    done: Counter[str] = Counter()
    gate = threading.Barrier(len(workers))

    def run(worker: Any) -> None:
        with pg_app.app_context():
            gate.wait()
            while (result := worker.run_once()) is not None:
                done[worker.worker_id + ":" + result] += 1

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with pg_app.app_context():
        ran = Counter(db.session.scalars(
            select(AuditEntry.entity_id).where(AuditEntry.action == "race")))
        statuses = Counter(db.session.scalars(select(Job.status)))
    assert ran == Counter({str(n): 1 for n in range(JOBS)})
    assert statuses == Counter({"done": JOBS})
    assert sum(done.values()) == JOBS
