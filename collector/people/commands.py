"""``tenpoint people export|erase``: one person's data, exported or erased everywhere."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from collector.core.clock import now
from collector.core.command_line import CLI_ACTOR, site_for_command
from collector.core.extensions import db
from collector.models import Person, Site
from collector.people.lookup import find_person
from collector.people.privacy import erase_person, export_person


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
    person = _person(site_for_command(site_slug), user_id)
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
    person = _person(site_for_command(site_slug), user_id)
    if not yes:
        click.confirm(f"Erase person {user_id!r} everywhere? This cannot be undone", abort=True)
    erasure = erase_person(db.session, person, actor=CLI_ACTOR, now=now())
    db.session.commit()
    click.echo(f"Erased person {user_id!r}: " + ", ".join(
        f"{name} {count}" for name, count in erasure.as_dict().items()))


COMMANDS = (people_group,)
