"""What the ``tenpoint`` subcommands share: the site a command acts on, and times typed by
a person."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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
        raise click.ClickException(
            "Name the site with --site SLUG." if sites else
            f"No site {slug!r}; create it with `tenpoint sites create {slug or 'SLUG'} "
            "--origin URL`.")
    return sites[0]


class When(click.ParamType):
    """An ISO 8601 date or time typed by a person; UTC when it has no offset. Anything else
    (``yesterday``) is a usage error naming the option, never a traceback."""

    name = "ISO-8601"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(str(value))
            except ValueError:
                self.fail(f"{value!r} is not an ISO 8601 date or time; write it like "
                          "2026-03-01 or 2026-03-01T09:00:00+01:00.", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


WHEN = When()
