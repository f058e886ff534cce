"""People: upsert, unsubscribe, erase, export."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.core.schema_fields import Properties
from collector.core.validation import VALUE_RANGE, Moment


class PersonUpsertSchema(ma.Schema):
    user_id = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email()
    name = fields.String(validate=validate.Length(max=200))
    locale = fields.String(validate=validate.Length(min=2, max=35))
    properties = Properties
    value = fields.Float(allow_nan=False, validate=VALUE_RANGE)
    signed_up_at = Moment(metadata={
        "description": "When the person signed up to your product: `min_days_since_signup` "
                       "counts from here (docs/eligibility.md)"})

    @ma.validates_schema
    def _identified(self, data: dict[str, object], **_: object) -> None:
        if not (data.get("user_id") or data.get("email")):
            raise ma.ValidationError("Give a user_id or an email.", "user_id")


class PersonRefArgsSchema(ma.Schema):
    user_id = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email()

    @ma.validates_schema
    def _identified(self, data: dict[str, object], **_: object) -> None:
        if not (data.get("user_id") or data.get("email")):
            raise ma.ValidationError("Give a user_id or an email.", "user_id")


class PersonSchema(ma.Schema):
    id = fields.Integer()
    user_id = fields.String(attribute="shown_user_id", allow_none=True)
    email = fields.String(attribute="shown_email", allow_none=True)
    name = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    properties = fields.Dict()
    value = fields.Float(allow_none=True)
    first_seen_at = fields.DateTime()
    signed_up_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()
    unsubscribed_at = fields.DateTime(allow_none=True)
    erased_at = fields.DateTime(allow_none=True)


class ErasureCountsSchema(ma.Schema):
    responses = fields.Integer(metadata={"description": "answers whose personal data was removed"})
    invitations_cancelled = fields.Integer()
    tickets = fields.Integer()
    contacts = fields.Integer()
    followups = fields.Integer()
    jobs_deleted = fields.Integer(metadata={"description": "unsent jobs only about the person"})
    jobs_scrubbed = fields.Integer(metadata={"description": "other jobs with their data blanked"})
    idempotency_records = fields.Integer(
        metadata={"description": "stored replies naming the person, now 410 person_erased"})
    audit_entries = fields.Integer(metadata={"description": "case notes whose text was removed"})


class ErasureSchema(ma.Schema):
    person = fields.Nested(PersonSchema)
    erased = fields.Nested(ErasureCountsSchema)


class PersonExportSchema(ma.Schema):
    exported_at = fields.String()
    person = fields.Dict()
    responses = fields.List(fields.Dict())
    invitations = fields.List(fields.Dict())
    tickets = fields.List(fields.Dict())
    contacts = fields.List(fields.Dict())
    followups = fields.List(fields.Dict())
