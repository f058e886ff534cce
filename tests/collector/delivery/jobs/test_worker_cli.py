"""``tenpoint worker``: runs jobs, and stops cleanly on SIGTERM or Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from collector.core.extensions import db
from collector.delivery.jobs import enqueue
from collector.models import Job
from tests.factories import make_site


def test_worker_once_runs_due_jobs(app, runner, clock):
    with app.app_context():
        site = make_site(db.session)
        enqueue(db.session, "event.dispatch", {"id": "msg_1", "type": "response.created",
                                               "timestamp": clock().isoformat(), "data": {},
                                               "site_id": site.site_id},
                now=clock(), site_id=site.site_id)
        db.session.commit()
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(
            select(Job).where(Job.kind == "event.dispatch")).one().status == "done"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_worker_process_stops_on_a_signal(sqlite_url, tmp_path: Path, signum):
    env = {**os.environ, "TENPOINT_DATABASE_URL": sqlite_url,
           "TENPOINT_SIGNING_SECRET": "test", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from collector.cli import main; main()", "worker",
         "--poll", "0.1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        assert process.stdout is not None
        assert "running" in process.stdout.readline()
        process.send_signal(signum)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
