"""``tenpoint export``: every response of a site, streamed as CSV or NDJSON."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import IO

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from collector.core.command_line import WHEN, site_for_command
from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.responses.exports import (
    ExportFilter,
    count_rows,
    csv_chunks,
    iter_records,
    ndjson_chunks,
)


@click.command("export")
@click.option("--site", "site_slug", default=None, help="Site slug (default: the only site).")
@click.option("--format", "fmt", type=click.Choice(["csv", "ndjson"]), default="csv",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@click.option("--survey", "survey_key", default=None)
@click.option("--since", type=WHEN, default=None, help="ISO 8601 time; UTC when no offset.")
@click.option("--until", type=WHEN, default=None, help="ISO 8601 time; UTC when no offset.")
@with_appcontext
def export_command(site_slug: str | None, fmt: str, output: Path | None,
                   survey_key: str | None, since: datetime | None, until: datetime | None) -> None:
    """Export responses as CSV or NDJSON, streamed (a progress bar on a terminal)."""
    site = site_for_command(site_slug)
    survey_id = None
    if survey_key is not None:
        survey = find_survey(db.session, site.id, survey_key)
        if survey is None:
            raise click.ClickException(f"No survey {survey_key!r}.")
        survey_id = survey.id
    spec = ExportFilter(site.id, survey_id, since, until)
    total = count_rows(db.session, spec)
    bar = tqdm(total=total, unit="rows", disable=not sys.stderr.isatty(), file=sys.stderr)

    def counted() -> object:
        for record in iter_records(db.session, spec):
            bar.update(1)
            yield record

    chunks = (csv_chunks if fmt == "csv" else ndjson_chunks)(counted())  # type: ignore[arg-type]
    target: IO[str] = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        for chunk in chunks:
            target.write(chunk)
    finally:
        bar.close()
        if output:
            target.close()
    if output:
        click.echo(f"Exported {total} responses to {output}.", err=True)


COMMANDS = (export_command,)
