"""``tenpoint surveys apply FILE`` and ``export``: surveys kept as code."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from collector.core.clock import now
from collector.core.command_line import CLI_ACTOR, site_for_command
from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.surveys.as_code import (
    SurveysFileError,
    apply_plan,
    export_surveys,
    load_surveys_file,
    plan,
)


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
    site = site_for_command(site_slug)
    try:
        definitions = load_surveys_file(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path} is not UTF-8 text: {error.reason}.") from error
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


@surveys_group.command("export")
@click.option("--site", "site_slug", default=None)
@click.option("--survey", "keys", multiple=True, help="Only this survey (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@with_appcontext
def surveys_export(site_slug: str | None, keys: tuple[str, ...], output: Path | None) -> None:
    """Write the site's surveys as the TOML that `surveys apply` reads."""
    site = site_for_command(site_slug)
    missing = [key for key in keys if find_survey(db.session, site.id, key) is None]
    if missing:
        raise click.ClickException(f"no survey {', '.join(missing)} on site {site.slug!r}")
    text = export_surveys(db.session, site.id, list(keys) or None)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}.", err=True)


COMMANDS = (surveys_group,)
