"""The ``tenpoint`` command: a Flask CLI group over ``create_app``."""

from __future__ import annotations

import json
import os
import sys
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from collector.config import settings_markdown
from collector.core.clock import now
from collector.core.database import migrate
from collector.core.extensions import db
from collector.serving import gunicorn_argv
from collector.surveys.demo import seed_demo


def _create_app() -> Flask:
    from collector import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
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
    """Serve the collector with gunicorn."""
    config = current_app.config
    bind = f"{host or config['HOST']}:{port or config['PORT']}"
    # gthread workers, a body deadline, request limits, keys cut in the access log:
    # collector/serving.py and docs/deployment.md.
    argv = [sys.executable, "-m", "gunicorn",
            *gunicorn_argv(config, bind, workers or config["WORKERS"])]
    os.execv(sys.executable, argv)  # noqa: S606 - replace this process with gunicorn


@click.command("settings")
@click.option("--markdown", is_flag=True, help="Print the README table.")
def settings_command(markdown: bool) -> None:
    """List every TENPOINT_* setting."""
    click.echo(settings_markdown())


COMMANDS = (init_command, serve_command, settings_command)


def init_app(app: Flask) -> None:
    """Commands hang off ``app.cli``; ``main`` (FlaskGroup) finds them there."""
    for command in COMMANDS:
        app.cli.add_command(command)
