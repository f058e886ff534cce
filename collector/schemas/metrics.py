"""NPS metrics."""

from __future__ import annotations

from datetime import UTC

import marshmallow as ma
from marshmallow import fields

from collector.schemas.survey import SLUG


class NpsArgsSchema(ma.Schema):
    survey = fields.String(validate=SLUG)
    since = fields.AwareDateTime(default_timezone=UTC)
    until = fields.AwareDateTime(default_timezone=UTC)


class NpsSchema(ma.Schema):
    nps = fields.Float(allow_none=True, metadata={"description": "-100..100; null when n = 0"})
    promoters = fields.Integer()
    passives = fields.Integer()
    detractors = fields.Integer()
    total = fields.Integer()
