"""NPS metrics."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.analytics.metrics import COLUMN_GROUPS, PERIOD_GROUPS, PROPERTY_PREFIX, TICKET_GROUP
from collector.core.validation import Moment
from collector.surveys.schemas import SLUG

GROUP_BY_HELP = ("touchpoint, channel, locale, day, week, month, ticket_resolution, "
                 "or property:<name>")
GROUP_BY_PATTERN = (f"^({'|'.join(COLUMN_GROUPS + PERIOD_GROUPS + (TICKET_GROUP,))}"
                    f"|{PROPERTY_PREFIX}[A-Za-z0-9_.-]{{1,64}})$")


class NpsArgsSchema(ma.Schema):
    survey = fields.String(validate=SLUG)
    since = Moment()
    until = Moment()
    # What validate_group accepts, as a pattern the OpenAPI document carries; the view
    # enforces it with validate_group, whose 422 keeps its code (unknown_group).
    group_by = fields.String(validate=validate.Length(1, 80), metadata={
        "description": GROUP_BY_HELP, "pattern": GROUP_BY_PATTERN})
    weight = fields.String(validate=validate.OneOf(["value"]),
                           metadata={"description": "weight each answer by its customer value"})


class IntervalSchema(ma.Schema):
    low = fields.Float()
    high = fields.Float()
    level = fields.Float()


class SharesSchema(ma.Schema):
    promoters = fields.Float(allow_none=True)
    passives = fields.Float(allow_none=True)
    detractors = fields.Float(allow_none=True)


class PreviousSchema(ma.Schema):
    since = fields.DateTime()
    until = fields.DateTime()
    nps = fields.Float(allow_none=True)
    n = fields.Integer()
    interval = fields.Nested(IntervalSchema, allow_none=True)


class ComparisonSchema(ma.Schema):
    previous = fields.Nested(PreviousSchema)
    difference = fields.Float(allow_none=True, metadata={
        "description": "adjusted NPS of this span minus the previous one's, in points"})
    z = fields.Float(allow_none=True)
    p_value = fields.Float(allow_none=True, metadata={
        "description": "two-sided z-test of equal NPS (the alerts' test); null when a span "
                       "has no answers"})
    reason = fields.String(allow_none=True)


class NpsFiguresSchema(ma.Schema):
    nps = fields.Float(allow_none=True, metadata={"description": "-100..100; null when n = 0"})
    interval = fields.Nested(IntervalSchema, allow_none=True, metadata={
        "description": "95% adjusted-Wald interval, clamped to [-100, 100]; null when n = 0"})
    margin = fields.Float(allow_none=True, metadata={
        "description": "the interval's half-width before clamping (draw NPS ± margin); "
                       "null when n = 0"})
    standard_error = fields.Float(allow_none=True, metadata={
        "description": "unadjusted standard error (n - 1 denominator); null when n = 0 or "
                       "when every answer is in one category"})
    unavailable = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "each null figure with its reason: no_answers, no_weight, one_category"})
    promoters = fields.Integer()
    passives = fields.Integer()
    detractors = fields.Integer()
    total = fields.Integer()
    n = fields.Integer()
    effective_n = fields.Float(metadata={"description": "Kish's effective n when weighted"})
    shares = fields.Nested(SharesSchema)


class NpsGroupSchema(NpsFiguresSchema):
    key = fields.String(allow_none=True)


class NpsSchema(NpsFiguresSchema):
    weighted = fields.Boolean()
    group_by = fields.String(allow_none=True)
    groups = fields.List(fields.Nested(NpsGroupSchema))
    excluded = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "eligibility decisions that did not survey someone, by reason"})
    excluded_total = fields.Integer()
    quarantined = fields.Integer(metadata={"description": "quarantined answers, not counted"})
    comparison = fields.Nested(ComparisonSchema, allow_none=True, metadata={
        "description": "this span against the span of the same length just before it "
                       "(needs since); null without since"})
