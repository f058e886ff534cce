"""``tenpoint keys create|revoke|rotate``: API keys, printed once."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from collector.access.keys import ROLES, create_key, revoke_key, rotate_key
from collector.core.clock import now
from collector.core.command_line import site_for_command
from collector.core.extensions import db
from collector.models import ApiKey


@click.group("keys")
def keys_group() -> None:
    """Create, rotate and revoke API keys."""


@keys_group.command("create")
@click.option("--site", "site_slug", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="")
@with_appcontext
def keys_create(site_slug: str, role: str, name: str) -> None:
    """Create a key and print it once (only its hash is kept)."""
    _, raw = create_key(db.session, site_for_command(site_slug).id, role, now(), name=name)
    db.session.commit()
    click.echo(raw)


def _key_by_prefix_or_id(ident: str) -> ApiKey:
    query = select(ApiKey)
    # An id fits a 64-bit column; a longer run of digits is no id (and would overflow).
    by_id = ident.isascii() and ident.isdigit() and len(ident) < 19
    query = query.where(ApiKey.id == int(ident)) if by_id else query.where(
        ApiKey.prefix == ident[:10])
    keys = list(db.session.scalars(query))
    if len(keys) != 1:
        raise click.ClickException(f"{len(keys)} keys match {ident!r}; give the key id.")
    return keys[0]


@keys_group.command("revoke")
@click.argument("key")
@with_appcontext
def keys_revoke(key: str) -> None:
    """Revoke a key (by id, or the key itself) at once."""
    found = _key_by_prefix_or_id(key)
    revoke_key(db.session, found, now())
    db.session.commit()
    click.echo(f"Revoked key {found.id} ({found.prefix}…).")


@keys_group.command("rotate")
@click.argument("key")
@click.option("--overlap-hours", type=click.FloatRange(min=0, max=90 * 24), default=24.0,
              show_default=True)
@with_appcontext
def keys_rotate(key: str, overlap_hours: float) -> None:
    """Create a replacement key; the old one keeps working for the overlap."""
    found = _key_by_prefix_or_id(key)
    _, raw = rotate_key(db.session, found, now(), timedelta(hours=overlap_hours))
    db.session.commit()
    click.echo(raw)


COMMANDS = (keys_group,)
