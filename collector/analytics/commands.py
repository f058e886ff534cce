"""``tenpoint analytics schedule``: queue the periodic analytics jobs now."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from collector.core.clock import now
from collector.core.extensions import db


@click.group("analytics")
def analytics_group() -> None:
    """Scheduled analytics jobs."""


@analytics_group.command("schedule")
@with_appcontext
def analytics_schedule() -> None:
    """Queue the periodic jobs now (alerts, retention, digests, expiry sweep). Optional:
    `tenpoint worker` does the same at start and every minute."""
    from collector.delivery.periodic import ensure_periodic

    added = ensure_periodic(db.session, now())
    db.session.commit()
    click.echo(f"Queued {added} job(s); `tenpoint worker` runs them and keeps them queued.")


COMMANDS = (analytics_group,)
