"""Jobs, webhook endpoints and their delivery log, follow-up cases."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.core.paging import page_schema
from collector.core.validation import Cursor, Moment
from collector.delivery.chat import CHAT_EVENTS, FORMATS
from collector.delivery.events import EVENT_TYPES

JOB_STATUSES = ("queued", "running", "done", "dead")
CASE_STATUSES = ("open", "contacted", "resolved", "won_back")
LIMIT = validate.Range(min=1, max=500)


class JobListArgsSchema(ma.Schema):
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))
    kind = fields.String(validate=validate.Length(max=64))
    limit = fields.Integer(load_default=50, validate=LIMIT)
    cursor = Cursor()


class JobSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"description": "queued, running, done or dead"})
    attempts = fields.Integer()
    run_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    payload = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


JobPageSchema = page_schema("JobPageSchema", JobSchema)


class WebhookCreateSchema(ma.Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False,
                     validate=validate.Length(max=2000), metadata={
                         "format": "uri", "pattern": r"^https?://[^\s/?#]+(/\S*)?$",
                         "description": (
                             "http(s) URL the events are POSTed to. Unless "
                             "TENPOINT_WEBHOOK_ALLOW_PRIVATE is on, its host must resolve only "
                             "to public addresses (the SSRF guard, docs/security.md): a "
                             "loopback, private or link-local target is a 422.")})
    events = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)),
                         load_default=list,
                         metadata={"description": "Event types to receive; empty: all"})
    description = fields.String(load_default="", validate=validate.Length(max=200))
    format = fields.String(load_default="standard", validate=validate.OneOf(FORMATS), metadata={
        "description": "standard (signed JSON event), slack (Block Kit message to an incoming "
                       "webhook) or teams (Adaptive Card to a Workflows webhook); a chat "
                       "format receives only " + ", ".join(CHAT_EVENTS)})


class WebhookEndpointSchema(ma.Schema):
    id = fields.Integer()
    url = fields.String()
    format = fields.String()
    events = fields.List(fields.String())
    description = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()
    secret_rotating_until = fields.DateTime(attribute="previous_secret_expires_at",
                                            allow_none=True)


class WebhookWithSecretSchema(WebhookEndpointSchema):
    secret = fields.String(metadata={"description": "whsec_… signing secret, shown only once"})


class WebhookListSchema(ma.Schema):
    data = fields.List(fields.Nested(WebhookEndpointSchema))


class WebhookRotateSchema(ma.Schema):
    overlap_hours = fields.Float(load_default=24.0, validate=validate.Range(min=0, max=24 * 30))


class WebhookDeliverySchema(ma.Schema):
    id = fields.Integer()
    event_id = fields.String()
    event_type = fields.String()
    attempt = fields.Integer()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer()
    attempted_at = fields.DateTime()


class WebhookDeliveryListSchema(ma.Schema):
    data = fields.List(fields.Nested(WebhookDeliverySchema))


class FollowupListArgsSchema(ma.Schema):
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    owner = fields.String(validate=validate.Length(max=200))
    team = fields.String(validate=validate.Length(max=100))
    overdue = fields.Boolean()
    limit = fields.Integer(load_default=50, validate=LIMIT)
    cursor = Cursor()


class FollowupCaseSchema(ma.Schema):
    id = fields.Integer()
    response_id = fields.Integer()
    score = fields.Integer()
    touchpoint = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    status = fields.String()
    due_at = fields.DateTime()
    contacted_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    timeline = fields.List(fields.Dict())
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


FollowupPageSchema = page_schema("FollowupPageSchema", FollowupCaseSchema)


class FollowupUpdateSchema(ma.Schema):
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    owner = fields.String(validate=validate.Length(min=1, max=200))
    team = fields.String(validate=validate.Length(min=1, max=100))
    note = fields.String(validate=validate.Length(min=1, max=5000))


class FollowupNoteSchema(ma.Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class FollowupStatsArgsSchema(ma.Schema):
    team = fields.String(validate=validate.Length(max=100))
    since = Moment()
    until = Moment()


class FollowupStatsSchema(ma.Schema):
    cases = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    median_hours_to_first_contact = fields.Float(allow_none=True)
    median_hours_to_resolution = fields.Float(allow_none=True)
    closed_within_sla = fields.Float(
        allow_none=True,
        metadata={"description": "Closed by the due time, over cases closed or past due"})
