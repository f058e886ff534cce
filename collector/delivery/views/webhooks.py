"""Webhook endpoints: create (the secret is shown once), list, delete, rotate, delivery log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g
from flask.views import MethodView

from collector.access.auth import WRITE, require_key
from collector.core.audit import record_audit
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.delivery.schemas import (
    WebhookCreateSchema,
    WebhookDeliveryListSchema,
    WebhookListSchema,
    WebhookRotateSchema,
    WebhookWithSecretSchema,
)
from collector.delivery.webhooks import (
    InvalidEndpoint,
    create_endpoint,
    find_endpoint,
    list_deliveries,
    list_endpoints,
    rotate_secret,
)
from collector.models import WebhookEndpoint

blp = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks",
                description="Signed (Standard Webhooks) event deliveries to your endpoints.")


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = find_endpoint(db.session, g.key.site_id, endpoint_id)
    if endpoint is None:
        raise APIError(404, "webhook_not_found", f"No webhook endpoint {endpoint_id}.")
    return endpoint


def _audit(endpoint: WebhookEndpoint, action: str, changes: dict[str, Any]) -> None:
    record_audit(db.session, site_id=endpoint.site_id, actor=g.key.actor, action=action,
                 entity_type="webhook_endpoint", entity_id=str(endpoint.id), changes=changes,
                 at=now())


@blp.route("")
class Endpoints(MethodView):
    @require_key(*WRITE)
    @blp.response(200, WebhookListSchema)
    def get(self) -> dict[str, Any]:
        """List the site's webhook endpoints (secrets are not shown again)."""
        return {"data": list_endpoints(db.session, g.key.site_id)}

    @require_key(*WRITE)
    @write_endpoint("webhooks.create")
    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookWithSecretSchema)
    def post(self, data: dict[str, Any]) -> WebhookEndpoint:
        """Register an endpoint. The answer holds its ``whsec_`` secret, shown only this once.

        The URL must resolve to public addresses only (private, loopback and link-local ones
        are refused unless TENPOINT_WEBHOOK_ALLOW_PRIVATE is set).
        """
        try:
            endpoint = create_endpoint(
                db.session, g.key.site_id, url=data["url"], events=data["events"],
                description=data["description"], now=now(),
                allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"],
                format=data["format"])
        except InvalidEndpoint as error:
            code = "unsafe_webhook_url" if error.field == "url" else "validation_failed"
            raise APIError(422, code, str(error), field=error.field) from error
        _audit(endpoint, "webhook.created", {"url": endpoint.url, "events": endpoint.events,
                                             "format": endpoint.format})
        return endpoint


@blp.route("/<int:endpoint_id>")
class EndpointById(MethodView):
    @require_key(*WRITE)
    @write_endpoint("webhooks.delete")
    @blp.response(204)
    def delete(self, endpoint_id: int) -> None:
        """Delete an endpoint; queued deliveries to it are dropped."""
        endpoint = _endpoint_or_404(endpoint_id)
        _audit(endpoint, "webhook.deleted", {"url": endpoint.url})
        db.session.delete(endpoint)


@blp.route("/<int:endpoint_id>/rotate-secret")
class EndpointRotation(MethodView):
    @require_key(*WRITE)
    @write_endpoint("webhooks.rotate")
    @blp.arguments(WebhookRotateSchema, required=False)
    @blp.response(200, WebhookWithSecretSchema)
    def post(self, data: dict[str, Any], endpoint_id: int) -> WebhookEndpoint:
        """New secret, shown once; deliveries carry both signatures for ``overlap_hours``."""
        endpoint = _endpoint_or_404(endpoint_id)
        rotate_secret(endpoint, now(), timedelta(hours=data["overlap_hours"]))
        _audit(endpoint, "webhook.secret_rotated", {"overlap_hours": data["overlap_hours"]})
        return endpoint


@blp.route("/<int:endpoint_id>/deliveries")
class EndpointDeliveries(MethodView):
    @require_key(*WRITE)
    @blp.response(200, WebhookDeliveryListSchema)
    def get(self, endpoint_id: int) -> dict[str, Any]:
        """Every delivery attempt to this endpoint, newest first (last 100)."""
        return {"data": list_deliveries(db.session, _endpoint_or_404(endpoint_id).id)}
