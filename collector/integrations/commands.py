"""``tenpoint integrations add|list|rotate``: connect a help desk; secrets printed once."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from collector.core.audit import record_audit
from collector.core.clock import now
from collector.core.command_line import CLI_ACTOR, site_for_command
from collector.core.extensions import db
from collector.integrations.registry import (
    CHANNELS,
    VENDORS,
    InvalidIntegration,
    create_integration,
    find_integration,
    list_integrations,
    rotate_secret,
)
from collector.models import HelpdeskIntegration


def _url(integration: HelpdeskIntegration) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/v1/integrations/{integration.id}/{integration.vendor}"


@click.group("integrations")
def integrations_group() -> None:
    """Help desks that send ticket events: Zendesk, Freshdesk, Intercom."""


@integrations_group.command("add")
@click.option("--site", "site_slug")
@click.option("--vendor", type=click.Choice(VENDORS), required=True)
@click.option("--secret", help="Zendesk's signing secret or Intercom's client secret.")
@click.option("--survey", help="Survey a solved ticket schedules "
                               "[default: the site's support_resolution survey].")
@click.option("--channel", type=click.Choice(CHANNELS), default="email", show_default=True)
@click.option("--name", default="")
@with_appcontext
def integrations_add(site_slug: str | None, vendor: str, secret: str | None,
                     survey: str | None, channel: str, name: str) -> None:
    """Connect a help desk; prints the URL to give it and, for Freshdesk, the secret (once)."""
    site = site_for_command(site_slug)
    moment = now()
    try:
        integration = create_integration(db.session, site.id, vendor=vendor, now=moment,
                                         secret=secret, name=name, survey_key=survey,
                                         channel=channel)
    except InvalidIntegration as error:
        raise click.BadParameter(str(error), param_hint=f"--{error.field}") from error
    record_audit(db.session, site_id=site.id, actor=CLI_ACTOR, action="integration.created",
                 entity_type="helpdesk_integration", entity_id=str(integration.id),
                 changes={"vendor": vendor}, at=moment)
    db.session.commit()
    click.echo(f"Integration {integration.id} ({vendor}): {_url(integration)}")
    if vendor == "freshdesk":
        click.echo(f"Secret (shown once; send it as X-Tenpoint-Secret): {integration.secret}")


@integrations_group.command("list")
@click.option("--site", "site_slug")
@with_appcontext
def integrations_list(site_slug: str | None) -> None:
    """One line per integration: id, vendor, survey, channel, URL."""
    for found in list_integrations(db.session, site_for_command(site_slug).id):
        click.echo(f"{found.id}\t{found.vendor}\t{found.survey_key or '-'}\t{found.channel}"
                   f"\t{_url(found)}")


@integrations_group.command("rotate")
@click.argument("integration_id", type=int)
@click.option("--secret", help="The new secret from Zendesk or Intercom.")
@click.option("--overlap-hours", type=float, default=24.0, show_default=True)
@with_appcontext
def integrations_rotate(integration_id: int, secret: str | None, overlap_hours: float) -> None:
    """A new secret; the old one is accepted for --overlap-hours more."""
    integration = find_integration(db.session, integration_id)
    if integration is None:
        raise click.ClickException(f"No integration {integration_id}.")
    moment = now()
    try:
        new = rotate_secret(integration, moment, secret=secret,
                            overlap=timedelta(hours=overlap_hours))
    except InvalidIntegration as error:
        raise click.BadParameter(str(error), param_hint="--secret") from error
    record_audit(db.session, site_id=integration.site_id, actor=CLI_ACTOR,
                 action="integration.secret_rotated", entity_type="helpdesk_integration",
                 entity_id=str(integration.id), changes={"overlap_hours": overlap_hours},
                 at=moment)
    db.session.commit()
    if integration.vendor == "freshdesk":
        click.echo(f"New secret (shown once): {new}")
    else:
        click.echo(f"Integration {integration.id}: the new secret is in use; the old one "
                   f"is accepted for {overlap_hours:g} more hours.")


COMMANDS = (integrations_group,)
