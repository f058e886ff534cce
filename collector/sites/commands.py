"""``tenpoint sites create|list|show|update``: register a site and change it without
touching the database. Changes are audited with the actor ``cli``."""

from __future__ import annotations

import json
from typing import Any

import click
import marshmallow as ma
from flask import current_app
from flask.cli import with_appcontext

from collector.core.clock import now
from collector.core.command_line import CLI_ACTOR
from collector.core.extensions import db
from collector.models import Site
from collector.sites.schemas import SiteSettingsSchema
from collector.sites.service import (
    SiteError,
    create_site,
    find_site,
    list_sites,
    rotate_identity_secret,
    update_site,
)

# Which option a service error is about, for the usage message.
OPTION_OF = {"slug": "SLUG", "origins": "--origin", "allowed_origins": "--origin",
             "add_origins": "--add-origin", "remove_origins": "--remove-origin",
             "default_locale": "--locale"}


def _bad(error: SiteError) -> click.BadParameter:
    return click.BadParameter(error.message, param_hint=OPTION_OF.get(error.field, error.field))


def _site(slug: str) -> Site:
    site = find_site(db.session, slug)
    if site is None:
        known = ", ".join(s.slug for s in list_sites(db.session)) or "none yet"
        raise click.ClickException(f"No site {slug!r} (sites: {known}). "
                                   "Create one with: tenpoint sites create SLUG --origin URL")
    return site


def _as_dict(site: Site, *, secret: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"slug": site.slug, "name": site.name,
                            "allowed_origins": list(site.allowed_origins or []),
                            "default_locale": site.default_locale,
                            "require_identity": site.require_identity,
                            "settings": dict(site.settings or {}),
                            "created_at": site.created_at.isoformat()}
    if secret:
        body["identity_secret"] = site.identity_secret
    return body


def _print_site(site: Site, *, secret: bool) -> None:
    click.echo(f"Site:             {site.slug} ({site.name})")
    click.echo(f"Allowed origins:  {', '.join(site.allowed_origins or []) or '(none)'}")
    click.echo(f"Default locale:   {site.default_locale}")
    click.echo(f"Require identity: {'yes' if site.require_identity else 'no'}")
    click.echo(f"Settings:         {json.dumps(site.settings or {}, sort_keys=True)}")
    if secret:
        click.echo(f"Identity secret:  {site.identity_secret}")


def _parse_settings(pairs: tuple[str, ...], unset: tuple[str, ...]) -> dict[str, Any] | None:
    """``--set KEY=VALUE`` (VALUE as JSON, else a plain string) and ``--unset KEY``, checked
    by the same schema as ``PATCH /v1/site``."""
    if not pairs and not unset:
        return None
    raw: dict[str, Any] = {name: None for name in unset}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE.", param_hint="--set")
        try:
            raw[name] = json.loads(value)
        except json.JSONDecodeError:
            raw[name] = value
    try:
        loaded: dict[str, Any] = SiteSettingsSchema().load(raw)
    except ma.ValidationError as error:
        problems = "; ".join(f"{key}: {msgs}" for key, msgs in error.normalized_messages().items())
        raise click.BadParameter(problems, param_hint="--set") from error
    return loaded


@click.group("sites")
def sites_group() -> None:
    """Register sites and change their origins, settings and identity secret."""


@sites_group.command("create")
@click.argument("slug")
@click.option("--name", default="", help="Shown to people (default: the slug).")
@click.option("--origin", "origins", multiple=True, metavar="URL",
              help="An origin your pages are served from, e.g. https://app.example.com "
                   "(repeat for several).")
@click.option("--locale", "default_locale", default="en", show_default=True,
              help="The site's default locale.")
@click.option("--json", "as_json", is_flag=True, help="Print the site and its keys as JSON.")
@with_appcontext
def sites_create(slug: str, name: str, origins: tuple[str, ...], default_locale: str,
                 as_json: bool) -> None:
    """Create a site with one key of each role, printed this once only."""
    try:
        made = create_site(db.session, slug=slug, name=name, origins=origins, now=now(),
                           actor=CLI_ACTOR, default_locale=default_locale)
    except SiteError as error:
        raise _bad(error) from error
    db.session.commit()
    keys = {f"{role}_key": raw for role, raw in made.keys.items()}
    if as_json:
        click.echo(json.dumps({"site": slug, **keys,
                               "allowed_origins": list(made.site.allowed_origins)}))
        return
    public = current_app.config["PUBLIC_URL"]
    click.echo(f"Created site {slug}. The keys are shown this once only; keep them now.")
    click.echo(f"Publishable key: {keys['publishable_key']}   (in your pages)")
    click.echo(f"Secret key:      {keys['secret_key']}   (your backend, the SDK)")
    click.echo(f"Read key:        {keys['read_key']}   (the console, {public}/console/)")
    click.echo(f"Admin key:       {keys['admin_key']}   (keys, settings, identity secret)")
    if not made.site.allowed_origins:
        click.echo(f"No allowed origin yet: tenpoint sites update {slug} --add-origin URL")
    click.echo("Snippet for your pages:")
    click.echo(f'  <script async src="{public}/widget.js" '
               f'data-site-key="{keys["publishable_key"]}"></script>')


@sites_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one object per site.")
@with_appcontext
def sites_list(as_json: bool) -> None:
    """List the sites and their allowed origins."""
    sites = list_sites(db.session)
    if as_json:
        click.echo(json.dumps([_as_dict(s, secret=False) for s in sites]))
        return
    if not sites:
        click.echo("No sites yet: tenpoint sites create SLUG --origin URL")
    for site in sites:
        click.echo(f"{site.slug:<20} {site.name:<30} {', '.join(site.allowed_origins or [])}")


@sites_group.command("show")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def sites_show(slug: str, as_json: bool) -> None:
    """Show a site, its settings and its identity secret."""
    site = _site(slug)
    if as_json:
        click.echo(json.dumps(_as_dict(site, secret=True)))
    else:
        _print_site(site, secret=True)


@sites_group.command("update")
@click.argument("slug")
@click.option("--name", default=None)
@click.option("--add-origin", "add_origins", multiple=True, metavar="URL")
@click.option("--remove-origin", "remove_origins", multiple=True, metavar="URL")
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE",
              help="A setting; VALUE is JSON (docs/sites.md lists the settings).")
@click.option("--unset", multiple=True, metavar="KEY", help="Back to the setting's default.")
@click.option("--locale", "default_locale", default=None, help="The site's default locale.")
@click.option("--require-identity/--no-require-identity", default=None,
              help="Refuse browser user ids without an identity token.")
@click.option("--rotate-identity-secret", "rotate", is_flag=True,
              help="Replace the identity secret at once (old tokens stop verifying).")
@click.option("--json", "as_json", is_flag=True, help="Print the site as JSON.")
@with_appcontext
def sites_update(slug: str, name: str | None, add_origins: tuple[str, ...],
                 remove_origins: tuple[str, ...], pairs: tuple[str, ...], unset: tuple[str, ...],
                 default_locale: str | None, require_identity: bool | None, rotate: bool,
                 as_json: bool) -> None:
    """Change a site; every change is audited."""
    site = _site(slug)
    settings = _parse_settings(pairs, unset)
    moment = now()
    try:
        changes = update_site(db.session, site, now=moment, actor=CLI_ACTOR, name=name,
                              add_origins=add_origins, remove_origins=remove_origins,
                              settings=settings, default_locale=default_locale,
                              require_identity=require_identity)
    except SiteError as error:
        raise _bad(error) from error
    if rotate:
        rotate_identity_secret(db.session, site, now=moment, actor=CLI_ACTOR)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(_as_dict(site, secret=rotate)))
        return
    for field, change in changes.items():
        click.echo(f"{field}: {json.dumps(change['from'])} -> {json.dumps(change['to'])}")
    if rotate:
        click.echo(f"New identity secret: {site.identity_secret}")
    if not changes and not rotate:
        click.echo("Nothing to change.")


COMMANDS = (sites_group,)
