"""``tenpoint worker`` and ``tenpoint import delighted FILE``."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from collector.clock import now
from collector.database import refresh_statistics
from collector.extensions import db

log = logging.getLogger(__name__)


@click.command("worker")
@click.option("--poll", type=float, default=1.0, show_default=True,
              help="Seconds to wait when no job is due.")
@click.option("--once", is_flag=True, help="Run the due jobs, then exit.")
@with_appcontext
def worker_command(poll: float, once: bool) -> None:
    """Run queued jobs (emails, webhooks, invitations, purges) until SIGTERM or Ctrl-C.

    At start and every minute it also queues the periodic jobs (alerts, retention, weekly
    digests, the invitation expiry sweep) that are missing."""
    # Handlers register on import; the app's blueprints import the rest.
    from collector.delivery import webhooks  # noqa: F401
    from collector.periodic import ensure_periodic
    from collector.worker import Worker

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


@click.group("import")
def import_group() -> None:
    """Import data from other tools."""


@import_group.command("delighted")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_slug", default=None,
              help="Site slug (default: the only site).")
@click.option("--survey", "survey_key", default=None,
              help="Survey key (default: the site's `delighted_survey`, else the first).")
@with_appcontext
def import_delighted_command(path: Path, site_slug: str | None, survey_key: str | None) -> None:
    """Import a Delighted CSV export of responses; importing the same file again adds nothing."""
    from collector.delighted import DelightedError
    from collector.importers.delighted import ImportTarget, UnknownTarget, import_csv

    try:
        target = ImportTarget.find(db.session, site_slug, survey_key)
    except (UnknownTarget, DelightedError) as error:
        raise click.ClickException(str(error)) from error
    with path.open(newline="", encoding="utf-8-sig") as handle:
        result = import_csv(db.session, target, handle, now=now(), progress=True)
    db.session.commit()
    refresh_statistics(db.engine)
    click.echo(f"Imported {result.created} responses; {result.skipped} already there; "
               f"{result.invalid} rows skipped as invalid.")


COMMANDS = (worker_command, import_group)
