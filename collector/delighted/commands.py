"""``tenpoint import delighted FILE``: a Delighted CSV export, imported once."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask.cli import with_appcontext

from collector.core.clock import now
from collector.core.database import refresh_statistics
from collector.core.extensions import db


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
    from collector.delighted.importer import ImportTarget, UnknownTarget, import_csv
    from collector.delighted.vocabulary import DelightedError

    try:
        target = ImportTarget.find(db.session, site_slug, survey_key)
    except (UnknownTarget, DelightedError) as error:
        raise click.ClickException(str(error)) from error
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            result = import_csv(db.session, target, handle, now=now(), progress=True)
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path} is not a UTF-8 CSV file: {error.reason}.") from error
    except csv.Error as error:
        raise click.ClickException(f"{path} is not a readable CSV file: {error}.") from error
    db.session.commit()
    refresh_statistics(db.engine)
    click.echo(f"Imported {result.created} responses; {result.skipped} already there; "
               f"{result.invalid} rows skipped as invalid.")


COMMANDS = (import_group,)
