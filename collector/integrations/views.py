"""Help-desk integrations: configured with a secret or admin key, called by the help desk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g, request
from flask.views import MethodView

from collector.access.auth import WRITE, require_key
from collector.core.audit import record_audit
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.integrations.inbound import receive
from collector.integrations.registry import (
    VENDORS,
    InvalidIntegration,
    create_integration,
    find_integration,
    list_deliveries,
    list_integrations,
    rotate_secret,
)
from collector.integrations.schemas import (
    InboundAnswerSchema,
    IntegrationCreateSchema,
    IntegrationDeliveryListSchema,
    IntegrationListSchema,
    IntegrationRotateSchema,
    IntegrationWithSecretSchema,
)
from collector.integrations.ticket_events import Delivery
from collector.models import HelpdeskIntegration

blp = Blueprint("integrations", __name__, url_prefix="/v1/integrations",
                description="Ticket events in from Zendesk, Freshdesk and Intercom.")


def inbound_url(integration: HelpdeskIntegration) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/v1/integrations/{integration.id}/{integration.vendor}"


def _shown(integration: HelpdeskIntegration, *, with_secret: bool = False) -> dict[str, Any]:
    shown = {name: getattr(integration, name) for name in (
        "id", "vendor", "name", "survey_key", "channel", "active", "created_at",
        "previous_secret_expires_at")}
    shown["url"] = inbound_url(integration)
    if with_secret:
        shown["secret"] = integration.secret
    return shown


def _integration_or_404(integration_id: int) -> HelpdeskIntegration:
    integration = find_integration(db.session, integration_id, g.key.site_id)
    if integration is None:
        raise APIError(404, "integration_not_found", f"No integration {integration_id}.")
    return integration


def _audit(integration: HelpdeskIntegration, action: str, changes: dict[str, Any]) -> None:
    record_audit(db.session, site_id=integration.site_id, actor=g.key.actor, action=action,
                 entity_type="helpdesk_integration", entity_id=str(integration.id),
                 changes=changes, at=now())


@blp.route("")
class Integrations(MethodView):
    @require_key(*WRITE)
    @blp.response(200, IntegrationListSchema)
    def get(self) -> dict[str, Any]:
        """List the site's help-desk integrations (secrets are not shown again)."""
        return {"data": [_shown(found) for found in list_integrations(db.session,
                                                                      g.key.site_id)]}

    @require_key(*WRITE)
    @write_endpoint("integrations.create")
    @blp.arguments(IntegrationCreateSchema)
    @blp.response(201, IntegrationWithSecretSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Connect a help desk. The answer holds the URL to give the help desk and the
        secret, shown only this once (docs/integrations.md)."""
        try:
            integration = create_integration(
                db.session, g.key.site_id, vendor=data["vendor"], now=now(),
                secret=data.get("secret"), name=data["name"], survey_key=data.get("survey"),
                channel=data["channel"])
        except InvalidIntegration as error:
            raise APIError(422, "validation_failed", str(error), field=error.field) from error
        _audit(integration, "integration.created", {"vendor": integration.vendor})
        return _shown(integration, with_secret=True)


@blp.route("/<int:integration_id>")
class IntegrationById(MethodView):
    @require_key(*WRITE)
    @write_endpoint("integrations.delete")
    @blp.response(204)
    def delete(self, integration_id: int) -> None:
        """Disconnect a help desk: its URL answers 404 from now on, its delivery log goes too.
        Tickets it reported stay (they are the site's, like those of ``POST /v1/tickets``)."""
        integration = _integration_or_404(integration_id)
        _audit(integration, "integration.deleted", {"vendor": integration.vendor})
        db.session.delete(integration)


@blp.route("/<int:integration_id>/rotate-secret")
class IntegrationRotation(MethodView):
    @require_key(*WRITE)
    @write_endpoint("integrations.rotate")
    @blp.arguments(IntegrationRotateSchema, required=False)
    @blp.response(200, IntegrationWithSecretSchema)
    def post(self, data: dict[str, Any], integration_id: int) -> dict[str, Any]:
        """A new secret, shown once; the old one is accepted for ``overlap_hours`` more."""
        integration = _integration_or_404(integration_id)
        try:
            rotate_secret(integration, now(), secret=data.get("secret"),
                          overlap=timedelta(hours=data["overlap_hours"]))
        except InvalidIntegration as error:
            raise APIError(422, "validation_failed", str(error), field=error.field) from error
        _audit(integration, "integration.secret_rotated",
               {"overlap_hours": data["overlap_hours"]})
        return _shown(integration, with_secret=True)


@blp.route("/<int:integration_id>/deliveries")
class IntegrationDeliveries(MethodView):
    @require_key(*WRITE)
    @blp.response(200, IntegrationDeliveryListSchema)
    def get(self, integration_id: int) -> dict[str, Any]:
        """Every delivery the help desk sent, accepted or refused, newest first (last 100)."""
        return {"data": list_deliveries(db.session, _integration_or_404(integration_id).id)}


@blp.route("/<int:integration_id>/<string:vendor>")
class Inbound(MethodView):
    @blp.response(200, InboundAnswerSchema)
    def post(self, integration_id: int, vendor: str) -> dict[str, Any]:
        """Called by the help desk (``vendor``: zendesk, freshdesk or intercom), authenticated
        by its signature or the integration's secret, not by an API key. Refused deliveries
        answer 401 or 422 with the usual error body and are logged too."""
        integration = find_integration(db.session, integration_id)
        if (vendor not in VENDORS or integration is None or integration.vendor != vendor
                or not integration.active):
            raise APIError(404, "integration_not_found",
                           f"No {vendor} integration {integration_id}.")
        delivery = Delivery(body=request.get_data(cache=True),
                            headers={k.lower(): v for k, v in request.headers.items()})
        receipt = receive(db.session, integration, delivery, now(),
                          secret=current_app.config["SECRET_KEY"])
        # No Idempotency-Key from a help desk: the delivery log (refusals included) and the
        # ticket event commit here; replays are caught by the log's replay key.
        db.session.commit()
        if receipt.refusal is not None:
            refusal = receipt.refusal
            raise APIError(refusal.status, refusal.code, refusal.message, field=refusal.field)
        row = receipt.delivery
        return {"delivery_id": row.id, "code": row.code, "ticket_id": row.ticket_id,
                "status": row.ticket_status, "applied": receipt.applied,
                "invitation_id": row.invitation_id}
