"""Eligibility, declines, triggers, tickets, invitations and decision counts, in and out."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.core.paging import page_schema
from collector.core.schema_fields import properties_field
from collector.core.validation import VALUE_RANGE, Cursor, Moment
from collector.eligibility.rules import REASONS
from collector.surveys.schemas import SLUG

INVITATION_CHANNELS = ("in_app", "email", "link")
INVITATION_STATUSES = ("pending", "sent", "answered", "cancelled", "expired")
TICKET_STATUSES = ("open", "pending", "solved", "closed")
MAX_DELAY_SECONDS = 365 * 24 * 3600


def _properties() -> fields.Dict:
    return properties_field()


# A time without an offset is read as UTC (docs/api-contract.md); years 1900 to 2999.
AwareDateTime = Moment


class EligibilityInSchema(ma.Schema):
    survey = fields.String(validate=SLUG)
    user_id = fields.String(validate=validate.Length(min=1, max=200))
    anonymous_id = fields.String(validate=validate.Length(min=8, max=64))
    identity_token = fields.String(validate=validate.Length(max=1000))
    email = fields.Email()
    locale = fields.String(validate=validate.Length(min=2, max=35))
    properties = _properties()
    url = fields.String(validate=validate.Length(max=2000))
    event = fields.String(validate=validate.Length(min=1, max=100))
    dry_run = fields.Boolean(load_default=False)
    first_seen_at = Moment(metadata={"description": (
        "When this browser was first seen, as the widget keeps it: a hint for "
        "`min_days_since_signup` when the backend gave no `signed_up_at` "
        "(docs/eligibility.md, \"Signup\").")})


class EligibilityOutSchema(ma.Schema):
    eligible = fields.Boolean(required=True)
    reason = fields.String(required=True, metadata={"enum": list(REASONS)})
    survey = fields.Dict(allow_none=True)
    display_id = fields.String(allow_none=True)
    display_token = fields.String(allow_none=True, metadata={"description": (
        "Eligible answers only: send it back as the answer's display_token. Signed, bound "
        "to this survey and visitor, good once and for eight days (docs/protection.md).")})
    proof_of_work = fields.Dict(allow_none=True, metadata={"description": (
        "Surveys that ask for proof of work: an ALTCHA challenge (algorithm, challenge, "
        "maxNumber, salt, signature); the answer sends the solution as proof_of_work.")})
    recheck_after = fields.Integer(allow_none=True, metadata={"description": (
        "Refused automatic page-view checks only: no survey of the site could be shown to "
        "this person now on any page, so the widget skips its automatic checks for this "
        "many seconds (docs/eligibility.md, \"Quiet periods\"). Null otherwise.")})


class DeclineInSchema(ma.Schema):
    display_id = fields.String(required=True, validate=validate.Length(min=1, max=40))


class DeclineOutSchema(ma.Schema):
    display_id = fields.String()
    survey = fields.String()
    declined_at = fields.DateTime()


class TriggerInSchema(ma.Schema):
    survey = fields.String(required=True, validate=SLUG)
    user_id = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email()
    name = fields.String(validate=validate.Length(max=200))
    locale = fields.String(validate=validate.Length(min=2, max=35))
    touchpoint = fields.String(validate=validate.Length(min=1, max=64))
    properties = _properties()
    value = fields.Float(allow_nan=False, validate=VALUE_RANGE)
    channel = fields.String(validate=validate.OneOf(INVITATION_CHANNELS), load_default="email")
    delay = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DELAY_SECONDS),
                           metadata={"description": "Seconds to wait before sending"})
    send_at = AwareDateTime()
    signed_up_at = Moment(metadata={
        "description": "When the person signed up; stored on the person (docs/eligibility.md)"})
    dry_run = fields.Boolean(load_default=False)

    @ma.validates_schema
    def _one_person_one_time(self, data: dict[str, object], **_: object) -> None:
        if not (data.get("user_id") or data.get("email")):
            raise ma.ValidationError("Give user_id or email.", "user_id")
        if "delay" in data and "send_at" in data:
            raise ma.ValidationError("Give delay or send_at, not both.", "send_at")


class InvitationSchema(ma.Schema):
    id = fields.Integer()
    survey = fields.String(attribute="survey_key")
    channel = fields.String()
    touchpoint = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(INVITATION_STATUSES)})
    send_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    user_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    url = fields.String(allow_none=True, metadata={
        "description": "Hosted survey link; only in the answer that created the invitation"})
    created_at = fields.DateTime()


class TriggerOutSchema(ma.Schema):
    eligible = fields.Boolean(required=True)
    reason = fields.String(required=True, metadata={"enum": list(REASONS)})
    invitation = fields.Nested(InvitationSchema, allow_none=True)


class TicketInSchema(ma.Schema):
    ticket_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    user_id = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email()
    status = fields.String(required=True, validate=validate.OneOf(TICKET_STATUSES))
    at = AwareDateTime()

    @ma.validates_schema
    def _one_person(self, data: dict[str, object], **_: object) -> None:
        if not (data.get("user_id") or data.get("email")):
            raise ma.ValidationError("Give user_id or email.", "user_id")


class TicketOutSchema(ma.Schema):
    ticket_id = fields.String()
    status = fields.String(metadata={"description": "The stored (newest) status"})
    at = fields.DateTime(metadata={"description": "Time of the stored status"})
    applied = fields.Boolean(metadata={"description": "False: older or repeated event"})


class InvitationListArgsSchema(ma.Schema):
    status = fields.String(validate=validate.OneOf(INVITATION_STATUSES))
    survey = fields.String(validate=SLUG)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = Cursor()


InvitationPageSchema = page_schema("InvitationPageSchema", InvitationSchema)


class DecisionArgsSchema(ma.Schema):
    survey = fields.String(validate=SLUG)
    since = fields.Date()
    until = fields.Date(metadata={"description": "Exclusive"})


class DecisionCountSchema(ma.Schema):
    survey = fields.String()
    day = fields.Date()
    reason = fields.String()
    count = fields.Integer()


class DecisionListSchema(ma.Schema):
    data = fields.List(fields.Nested(DecisionCountSchema))
