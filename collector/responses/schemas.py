"""Responses in and out, and their cursor-paged listing."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.core.paging import page_schema
from collector.core.schema_fields import Properties
from collector.core.validation import VALUE_RANGE, Cursor, Moment
from collector.surveys.schemas import SLUG

CHANNELS = ("in_app", "email", "link", "api")
class SignalsSchema(ma.Schema):
    """What the widget saw of the browser; used by the bot verdict, never shown."""

    webdriver = fields.Boolean()
    elapsed_ms = fields.Integer(validate=validate.Range(min=0))
    honeypot = fields.String(validate=validate.Length(max=500))


class ResponseCreateSchema(ma.Schema):
    survey = fields.String(required=True, validate=SLUG)
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10))
    comment = fields.String(validate=validate.Length(max=5000), allow_none=True)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                          values=fields.String(validate=validate.Length(max=5000)),
                          validate=validate.Length(max=10))
    user_id = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email()
    anonymous_id = fields.String(validate=validate.Length(min=8, max=64))
    identity_token = fields.String(validate=validate.Length(max=1000))
    locale = fields.String(validate=validate.Length(min=2, max=35))
    channel = fields.String(validate=validate.OneOf(CHANNELS), load_default="in_app")
    touchpoint = fields.String(validate=validate.Length(max=64))
    properties = Properties
    value = fields.Float(allow_nan=False, validate=VALUE_RANGE)
    signals = fields.Nested(SignalsSchema)
    # The widget names the display it answers (docs/api-contract.md).
    display_id = fields.String(validate=validate.Length(min=1, max=40))
    # ... and sends back the token that display carried (docs/protection.md, "Display tokens").
    display_token = fields.String(validate=validate.Length(max=200))
    # The display's proof-of-work solution, when it asked for one (base64 ALTCHA payload).
    proof_of_work = fields.String(validate=validate.Length(max=1000))


class PersonRefSchema(ma.Schema):
    id = fields.Integer()
    # A ``Person`` or a ``PersonRecord``: both show an erased person's identifiers as null.
    user_id = fields.String(attribute="shown_user_id", allow_none=True)
    email = fields.String(attribute="shown_email", allow_none=True)


class ResponseSchema(ma.Schema):
    id = fields.Integer()
    survey = fields.String(attribute="survey_key")
    survey_version = fields.Integer(attribute="survey_version_number")
    score = fields.Integer()
    category = fields.String()
    comment = fields.String(allow_none=True)
    answers = fields.Dict()
    locale = fields.String(allow_none=True)
    channel = fields.String()
    touchpoint = fields.String(allow_none=True)
    properties = fields.Dict()
    value = fields.Float(allow_none=True)
    person = fields.Nested(PersonRefSchema, allow_none=True)
    verdict = fields.String()
    verdict_reasons = fields.List(fields.String())
    verdict_signals = fields.List(fields.String(), metadata={
        "description": "Noted for review, never a reason on their own: fingerprint_changed, "
                       "client_too_fast. Like verdict and verdict_reasons, never shown to a "
                       "publishable key."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    edit_token = fields.String(metadata={
        "description": "Only in the POST answer: lets the browser that sent the score add "
                       "its comment with PATCH /v1/responses/{id} for about an hour."})


class ResponseUpdateSchema(ma.Schema):
    """The comment and later answers, added after the score."""

    comment = fields.String(validate=validate.Length(max=5000), allow_none=True)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                          values=fields.String(validate=validate.Length(max=5000)),
                          validate=validate.Length(max=10))
    edit_token = fields.String(validate=validate.Length(max=200))


class ResponseListArgsSchema(ma.Schema):
    survey = fields.String(validate=SLUG)
    since = Moment()
    until = Moment()
    verdict = fields.String(validate=validate.OneOf(["accepted", "quarantined", "released"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = Cursor()


ResponsePageSchema = page_schema("ResponsePageSchema", ResponseSchema)
