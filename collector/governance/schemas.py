"""Exports and the audit trail."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.core.paging import page_schema
from collector.core.validation import Cursor, Moment
from collector.surveys.schemas import SLUG


class ExportArgsSchema(ma.Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "ndjson"]))
    survey = fields.String(validate=SLUG)
    since = Moment()
    until = Moment()
    verdict = fields.String(validate=validate.OneOf(["accepted", "quarantined", "released"]))


class AuditArgsSchema(ma.Schema):
    entity = fields.String(validate=validate.Length(1, 100), metadata={
        "description": "an entity type (`survey`) or one entity (`survey:12`)"})
    action = fields.String(validate=validate.Length(1, 64))
    since = Moment()
    until = Moment()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = Cursor()


class AuditEntrySchema(ma.Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(metadata={"description": "key:<id>, cli or system"})
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    changes = fields.Dict()


AuditPageSchema = page_schema("AuditPageSchema", AuditEntrySchema)
