"""Help-desk integrations and their deliveries, in and out."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.integrations.registry import CHANNELS, VENDORS
from collector.surveys.schemas import SLUG


class IntegrationCreateSchema(ma.Schema):
    vendor = fields.String(required=True, validate=validate.OneOf(VENDORS))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    secret = fields.String(validate=validate.Length(min=8, max=200), metadata={
        "description": "Zendesk's signing secret or Intercom's client secret (they generate "
                       "it); not given for Freshdesk, whose secret Tenpoint generates"})
    survey = fields.String(validate=SLUG, metadata={
        "description": "Survey a solved ticket schedules; default: the site's "
                       "support_resolution survey"})
    channel = fields.String(load_default="email", validate=validate.OneOf(CHANNELS))


class IntegrationSchema(ma.Schema):
    id = fields.Integer()
    vendor = fields.String()
    name = fields.String()
    survey = fields.String(attribute="survey_key", allow_none=True)
    channel = fields.String()
    active = fields.Boolean()
    url = fields.String(metadata={"description": "Where the help desk sends its webhooks"})
    created_at = fields.DateTime()
    secret_rotating_until = fields.DateTime(attribute="previous_secret_expires_at",
                                            allow_none=True)


class IntegrationWithSecretSchema(IntegrationSchema):
    secret = fields.String(metadata={"description": "Shown only once"})


class IntegrationListSchema(ma.Schema):
    data = fields.List(fields.Nested(IntegrationSchema))


class IntegrationRotateSchema(ma.Schema):
    secret = fields.String(validate=validate.Length(min=8, max=200), metadata={
        "description": "The new secret from Zendesk or Intercom; not given for Freshdesk"})
    overlap_hours = fields.Float(load_default=24.0, validate=validate.Range(min=0, max=24 * 30))


class IntegrationDeliverySchema(ma.Schema):
    id = fields.Integer()
    outcome = fields.String(metadata={"enum": ["accepted", "refused"]})
    code = fields.String(metadata={"description": (
        "accepted: applied, unchanged, duplicate or ignored; refused: the error code")})
    status_code = fields.Integer()
    message = fields.String(allow_none=True)
    vendor_event = fields.String(allow_none=True)
    ticket_id = fields.String(allow_none=True)
    ticket_status = fields.String(allow_none=True)
    event_at = fields.DateTime(allow_none=True)
    invitation_id = fields.Integer(allow_none=True)
    received_at = fields.DateTime()


class IntegrationDeliveryListSchema(ma.Schema):
    data = fields.List(fields.Nested(IntegrationDeliverySchema))


class InboundAnswerSchema(ma.Schema):
    delivery_id = fields.Integer()
    code = fields.String()
    ticket_id = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    applied = fields.Boolean()
    invitation_id = fields.Integer(allow_none=True)
