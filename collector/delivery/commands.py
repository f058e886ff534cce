"""``tenpoint worker``: runs the durable jobs."""

from __future__ import annotations

import logging
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from collector.core.clock import now
from collector.core.extensions import db

log = logging.getLogger(__name__)


@click.command("worker")
@click.option("--poll", type=click.FloatRange(min=0.01, max=3600), default=1.0, show_default=True,
              help="Seconds to wait when no job is due.")
@click.option("--once", is_flag=True, help="Run the due jobs, then exit.")
@with_appcontext
def worker_command(poll: float, once: bool) -> None:
    """Run queued jobs (emails, webhooks, invitations, purges) until SIGTERM or Ctrl-C.

    At start and every minute it also queues the periodic jobs (alerts, retention, weekly
    digests, the invitation expiry sweep) that are missing."""
    from collector.delivery.periodic import ensure_periodic
    from collector.delivery.worker import Worker

    lease = timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
    worker = Worker(session_factory=db.sessionmaker, clock=now, poll_interval=poll,
                    lease=lease, periodic=ensure_periodic)
    if once:
        worker.tick()
        click.echo(f"Ran {worker.run_until_idle()} jobs.")
        return
    worker.install_signal_handlers()
    click.echo(f"Worker {worker.worker_id} running; Ctrl-C or SIGTERM stops it.")
    worker.run_forever()


COMMANDS = (worker_command,)
