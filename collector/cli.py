"""The ``tenpoint`` command: a Flask CLI group over ``create_app``."""

from __future__ import annotations

import json
import os
import sys
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from collector.config import settings_markdown
from collector.core.clock import now
from collector.core.database import migrate
from collector.core.extensions import db
from collector.languages.catalogs import missing_catalogs
from collector.serving import gunicorn_argv
from collector.surveys.demo import seed_demo
from collector.widget.views import missing_assets


def _create_app() -> Flask:
    from collector import create_app

    return create_app()


class TenpointGroup(FlaskGroup):
    """Flask's command group without Flask's own options (``-e/--env-file``, ``-A/--app``,
    ``--debug``): the app is always ``create_app`` and settings are ``TENPOINT_*`` variables.
    A database that does not answer is a one-line error, not a traceback."""

    FLASK_OPTIONS = ("env_file", "app", "debug")

    def __init__(self, **extra: Any) -> None:
        super().__init__(**extra)
        self.params = [p for p in self.params if p.name not in self.FLASK_OPTIONS]

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OperationalError as error:
            reason = str(error.orig or error).strip().splitlines()[0]
            raise click.ClickException(
                f"The database does not answer ({reason}). Check TENPOINT_DATABASE_URL.") from error


@click.group(cls=TenpointGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
@click.version_option(package_name="tenpoint-collector", prog_name="tenpoint",
                      message="%(prog)s %(version)s")
def main() -> None:
    """Tenpoint: self-hosted NPS surveys. `tenpoint COMMAND --help` explains each command;
    settings are TENPOINT_* environment variables (`tenpoint settings`)."""


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
                     now=now(), share_url=f"{public}/demo")
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"site": keys["site"], "publishable_key": keys["publishable_key"],
                               "secret_key": keys["secret_key"], "read_key": keys["read_key"],
                               "admin_key": keys["admin_key"]}))
        return
    click.echo(demo_block(public, keys))


def demo_block(public: str, keys: dict[str, str]) -> str:
    """What ``make run`` ends with: where to look, the demo keys, and the next step."""
    return "\n".join([
        "",
        "Tenpoint demo",
        f"  Demo page        {public}/demo",
        f"  Console          {public}/console/  (sign in with the read or admin key)",
        f"  API reference    {public}/docs",
        "",
        "  Demo site keys",
        f"  Publishable key  {keys['publishable_key']}   (browsers: the widget)",
        f"  Secret key       {keys['secret_key']}   (your backend: TENPOINT_API_KEY)",
        f"  Read key         {keys['read_key']}   (reports)",
        f"  Admin key        {keys['admin_key']}   (keys, site settings)",
        "",
        "  Your own site    tenpoint sites create my-app --origin https://app.example.com",
        "",
    ])


@click.command("serve")
@click.option("--workers", type=click.IntRange(min=1, max=256), default=None,
              help="gunicorn workers (TENPOINT_WORKERS).")
@click.option("--port", type=click.IntRange(min=1, max=65535), default=None,
              help="Port (TENPOINT_PORT).")
@click.option("--host", default=None, help="Address to bind (TENPOINT_HOST).")
@click.option("--quiet", is_flag=True, help="Leave out gunicorn's start-up lines.")
@with_appcontext
def serve_command(workers: int | None, port: int | None, host: str | None,
                  quiet: bool) -> None:
    """Serve the collector with gunicorn (refused when the package lacks the built widget or
    the compiled catalogs: docs/deployment.md)."""
    problems = [*missing_assets(), *missing_catalogs()]
    if problems:
        raise click.ClickException("cannot serve: " + "; ".join(problems))
    config = current_app.config
    if port is not None:
        # gunicorn's app reads its settings from the environment: the port it listens on is
        # then also the one links are built from (PUBLIC_URL's default, collector/config.py).
        os.environ["TENPOINT_PORT"] = str(port)
    if host is not None:
        os.environ["TENPOINT_HOST"] = host
    bind = f"{host or config['HOST']}:{port or config['PORT']}"
    # gthread workers, a body deadline, request limits, keys cut in the access log:
    # collector/serving.py and docs/deployment.md.
    argv = [sys.executable, "-m", "gunicorn", *(["--log-level", "warning"] if quiet else []),
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
