"""``tenpoint export``, ``tenpoint people export|erase``, ``tenpoint surveys apply`` and
``tenpoint analytics schedule``."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from tqdm import tqdm

from collector.clock import now
from collector.exports import ExportFilter, count_rows, csv_chunks, iter_records, ndjson_chunks
from collector.extensions import db
from collector.governance import SurveysFileError, apply_plan, load_surveys_file, plan
from collector.models import Person, Site
from collector.people import find_person
from collector.privacy import erase_person, export_person
from collector.surveys import find_survey

CLI_ACTOR = "cli"


def _site(slug: str | None) -> Site:
    sites = list(db.session.scalars(select(Site).order_by(Site.id)))
    if slug is not None:
        sites = [s for s in sites if s.slug == slug]
    if len(sites) != 1:
        raise click.ClickException("Name the site with --site SLUG." if sites
                                   else f"No site {slug!r}.")
    return sites[0]


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.command("export")
@click.option("--site", "site_slug", default=None, help="Site slug (default: the only site).")
@click.option("--format", "fmt", type=click.Choice(["csv", "ndjson"]), default="csv",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@click.option("--survey", "survey_key", default=None)
@click.option("--since", default=None, help="ISO 8601 time; UTC when no offset.")
@click.option("--until", default=None, help="ISO 8601 time; UTC when no offset.")
@with_appcontext
def export_command(site_slug: str | None, fmt: str, output: Path | None,
                   survey_key: str | None, since: str | None, until: str | None) -> None:
    """Export responses as CSV or NDJSON, streamed (a progress bar on a terminal)."""
    site = _site(site_slug)
    survey_id = None
    if survey_key is not None:
        survey = find_survey(db.session, site.id, survey_key)
        if survey is None:
            raise click.ClickException(f"No survey {survey_key!r}.")
        survey_id = survey.id
    spec = ExportFilter(site.id, survey_id, _when(since), _when(until))
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


@click.group("people")
def people_group() -> None:
    """A person's data: export it, or erase it everywhere."""


def _person(site: Site, user_id: str) -> Person:
    person = find_person(db.session, site.id, user_id=user_id)
    if person is None:
        raise click.ClickException(f"No person {user_id!r} on site {site.slug!r}.")
    return person


@people_group.command("export")
@click.argument("user_id")
@click.option("--site", "site_slug", default=None)
@with_appcontext
def people_export(user_id: str, site_slug: str | None) -> None:
    """Print everything stored about a person as JSON (audited)."""
    person = _person(_site(site_slug), user_id)
    data = export_person(db.session, person, actor=CLI_ACTOR, now=now())
    db.session.commit()
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@people_group.command("erase")
@click.argument("user_id")
@click.option("--site", "site_slug", default=None)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def people_erase(user_id: str, site_slug: str | None, yes: bool) -> None:
    """Erase a person's personal data everywhere (audited); cannot be undone."""
    person = _person(_site(site_slug), user_id)
    if not yes:
        click.confirm(f"Erase person {user_id!r} everywhere? This cannot be undone", abort=True)
    erasure = erase_person(db.session, person, actor=CLI_ACTOR, now=now())
    db.session.commit()
    click.echo(f"Erased person {user_id!r}: " + ", ".join(
        f"{name} {count}" for name, count in erasure.as_dict().items()))


@click.group("surveys")
def surveys_group() -> None:
    """Surveys kept as code."""


@surveys_group.command("apply")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", "site_slug", default=None)
@click.option("--yes", is_flag=True, help="Apply without asking.")
@with_appcontext
def surveys_apply(path: Path, site_slug: str | None, yes: bool) -> None:
    """Show what FILE (TOML) changes, then apply it: each change is a new survey version."""
    site = _site(site_slug)
    try:
        definitions = load_surveys_file(path.read_text(encoding="utf-8"))
    except SurveysFileError as error:
        raise click.ClickException(f"{path}: {error}") from error
    changes = plan(db.session, site.id, definitions)
    pending = [change for change in changes if change.action != "unchanged"]
    for change in changes:
        click.echo(f"{change.key}: {change.action}")
        for line in change.diff:
            colour = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            click.secho(f"  {line}", fg=colour)
    if not pending:
        click.echo("Nothing to change.")
        return
    if not yes:
        click.confirm(f"Apply {len(pending)} change(s) to site {site.slug!r}?", abort=True)
    applied = apply_plan(db.session, site.id, pending, now=now(), actor=CLI_ACTOR)
    db.session.commit()
    click.echo(f"Applied {applied} change(s).")


@click.group("analytics")
def analytics_group() -> None:
    """Scheduled analytics jobs."""


@analytics_group.command("schedule")
@with_appcontext
def analytics_schedule() -> None:
    """Queue the periodic jobs now (alerts, retention, digests, expiry sweep). Optional:
    `tenpoint worker` does the same at start and every minute."""
    from collector.periodic import ensure_periodic

    added = ensure_periodic(db.session, now())
    db.session.commit()
    click.echo(f"Queued {added} job(s); `tenpoint worker` runs them and keeps them queued.")


COMMANDS = (export_command, people_group, surveys_group, analytics_group)
