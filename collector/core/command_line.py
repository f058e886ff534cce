"""What the ``tenpoint`` subcommands share: the site a command acts on, and times typed by
a person."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy import select

from collector.core.extensions import db
from collector.models import Site

# Who the audit trail names for a change made from the command line.
CLI_ACTOR = "cli"


def site_for_command(slug: str | None) -> Site:
    """The site named by ``--site SLUG``, or the only site when none is named."""
    sites = list(db.session.scalars(select(Site).order_by(Site.id)))
    if slug is not None:
        sites = [s for s in sites if s.slug == slug]
    if len(sites) != 1:
        raise click.ClickException("Name the site with --site SLUG." if sites
                                   else f"No site {slug!r}.")
    return sites[0]


def parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 time from the command line; UTC when it has no offset."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
