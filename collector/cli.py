"""The ``tenpoint`` command: a Flask CLI group over ``create_app``."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from collector.analytics_commands import COMMANDS as ANALYTICS_COMMANDS
from collector.clock import now
from collector.config import settings_markdown
from collector.database import migrate
from collector.delivery.commands import COMMANDS as DELIVERY_COMMANDS
from collector.demo import seed_demo
from collector.extensions import db
from collector.i18n import missing_catalogs
from collector.keys import ROLES, create_key, revoke_key, rotate_key
from collector.models import ApiKey, Site
from collector.widget import missing_assets


def _create_app() -> Flask:
    from collector import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
@click.version_option(package_name="tenpoint-collector", prog_name="tenpoint",
                      message="%(prog)s %(version)s")
def main() -> None:
    """Tenpoint: self-hosted NPS surveys."""


@click.command("init")
@click.option("--demo", is_flag=True, help="Also create the demo site and its keys.")
@click.option("--json", "as_json", is_flag=True, help="Print the demo keys as JSON.")
@with_appcontext
def init_command(demo: bool, as_json: bool) -> None:
    """Migrate the database to the newest schema (and seed the demo site)."""
    migrate(current_app.config["DATABASE_URL"])
    if not demo:
        click.echo("Database is up to date.")
        return
    public = current_app.config["PUBLIC_URL"]
    port = urlsplit(public).port or current_app.config["PORT"]
    origins = sorted({public, f"http://127.0.0.1:{port}", f"http://localhost:{port}"})
    keys = seed_demo(db.session, secret=current_app.config["SECRET_KEY"], origins=origins,
                     now=now())
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"site": keys["site"], "publishable_key": keys["publishable_key"],
                               "secret_key": keys["secret_key"], "read_key": keys["read_key"],
                               "admin_key": keys["admin_key"]}))
        return
    click.echo(f"Demo page:       {public}/demo")
    click.echo(f"API reference:   {public}/docs")
    click.echo(f"Publishable key: {keys['publishable_key']}")
    click.echo(f"Secret key:      {keys['secret_key']}")
    click.echo(f"Read key:        {keys['read_key']}")


@click.command("serve")
@click.option("--workers", type=int, default=None, help="gunicorn workers (TENPOINT_WORKERS).")
@click.option("--port", type=int, default=None, help="Port (TENPOINT_PORT).")
@click.option("--host", default=None, help="Address to bind (TENPOINT_HOST).")
@with_appcontext
def serve_command(workers: int | None, port: int | None, host: str | None) -> None:
    """Serve the collector with gunicorn (refused when the package lacks the built widget or
    the compiled catalogs: docs/deployment.md)."""
    problems = [*missing_assets(), *missing_catalogs()]
    if problems:
        raise click.ClickException("cannot serve: " + "; ".join(problems))
    config = current_app.config
    bind = f"{host or config['HOST']}:{port or config['PORT']}"
    argv = [sys.executable, "-m", "gunicorn", "--bind", bind,
            "--workers", str(workers or config["WORKERS"]), "--access-logfile", "-",
            "collector.wsgi:app"]
    os.execv(sys.executable, argv)  # noqa: S606 - replace this process with gunicorn


@click.group("keys")
def keys_group() -> None:
    """Create, rotate and revoke API keys."""


def _site(slug: str) -> Site:
    site = db.session.scalars(select(Site).where(Site.slug == slug)).first()
    if site is None:
        raise click.ClickException(f"No site {slug!r}.")
    return site


@keys_group.command("create")
@click.option("--site", "site_slug", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="")
@with_appcontext
def keys_create(site_slug: str, role: str, name: str) -> None:
    """Create a key and print it once (only its hash is kept)."""
    _, raw = create_key(db.session, _site(site_slug).id, role, now(), name=name)
    db.session.commit()
    click.echo(raw)


def _key_by_prefix_or_id(ident: str) -> ApiKey:
    query = select(ApiKey)
    query = query.where(ApiKey.id == int(ident)) if ident.isdigit() else query.where(
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
@click.option("--overlap-hours", type=float, default=24.0, show_default=True)
@with_appcontext
def keys_rotate(key: str, overlap_hours: float) -> None:
    """Create a replacement key; the old one keeps working for the overlap."""
    found = _key_by_prefix_or_id(key)
    _, raw = rotate_key(db.session, found, now(), timedelta(hours=overlap_hours))
    db.session.commit()
    click.echo(raw)


@click.command("settings")
@click.option("--markdown", is_flag=True, help="Print the README table.")
def settings_command(markdown: bool) -> None:
    """List every TENPOINT_* setting."""
    click.echo(settings_markdown())


COMMANDS = (init_command, serve_command, keys_group, settings_command, *DELIVERY_COMMANDS)
COMMANDS += ANALYTICS_COMMANDS


def init_app(app: Flask) -> None:
    """Commands hang off ``app.cli``; ``main`` (FlaskGroup) finds them there."""
    for command in COMMANDS:
        app.cli.add_command(command)
