"""The survey definition: texts per locale, rules, appearance and triggers."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.core.validation import FullMatch

SLUG = FullMatch(r"^[a-z0-9][a-z0-9_-]{0,63}$",
                 error="Use 1-64 lowercase letters, digits, '-' or '_'.")
RATE = validate.Range(min=0.0, max=1.0)
NON_NEGATIVE = validate.Range(min=0)


class ByCategorySchema(ma.Schema):
    detractor = fields.String(validate=validate.Length(max=500))
    passive = fields.String(validate=validate.Length(max=500))
    promoter = fields.String(validate=validate.Length(max=500))


class TextsSchema(ma.Schema):
    """The survey owner's own words in one locale. Interface strings come from locales/."""

    question = fields.String(required=True, validate=validate.Length(min=1, max=500))
    low_label = fields.String(validate=validate.Length(max=100))
    high_label = fields.String(validate=validate.Length(max=100))
    follow_up = fields.Nested(ByCategorySchema)
    second_question = fields.String(validate=validate.Length(max=500))
    thank_you = fields.Nested(ByCategorySchema)
    promoter_link_label = fields.String(validate=validate.Length(max=100))
    promoter_link_url = fields.Url(schemes={"https", "http"})


class SegmentRateSchema(ma.Schema):
    property = fields.String(required=True, validate=validate.Length(min=1, max=100))
    value = fields.Raw(required=True)
    rate = fields.Float(required=True, validate=RATE)


class RulesSchema(ma.Schema):
    """Eligibility rules. A missing value means the site-wide default (docs/eligibility.md)."""

    sample_rate = fields.Float(validate=RATE)
    segment_rates = fields.List(fields.Nested(SegmentRateSchema),
                                validate=validate.Length(max=50))
    anonymous_rate = fields.Float(validate=RATE)
    recontact_days = fields.Integer(validate=NON_NEGATIVE)
    decline_days = fields.Integer(validate=NON_NEGATIVE)
    max_surveys = fields.Integer(validate=validate.Range(min=1))
    max_surveys_period_days = fields.Integer(validate=validate.Range(min=1))
    daily_cap = fields.Integer(validate=validate.Range(min=1))
    min_days_since_signup = fields.Integer(validate=NON_NEGATIVE)
    resolution_delay_hours = fields.Float(validate=validate.Range(min=0))
    exclude_open_tickets = fields.Boolean()


class AppearanceSchema(ma.Schema):
    brand_color = fields.String(validate=FullMatch(r"^#[0-9a-fA-F]{6}$",
                                                error="Use a colour like #3355ff."))
    position = fields.String(validate=validate.OneOf(
        ["bottom-right", "bottom-left", "bottom", "center"]))
    theme = fields.String(validate=validate.OneOf(["light", "dark", "auto"]))


class ShowOnSchema(ma.Schema):
    """When the widget shows the survey: any page view, named events, or URL patterns."""

    events = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                         validate=validate.Length(max=50))
    urls = fields.List(fields.String(validate=validate.Length(min=1, max=500)),
                       validate=validate.Length(max=50))
    delay_seconds = fields.Integer(validate=validate.Range(min=0, max=3600))


class SurveyConfigSchema(ma.Schema):
    texts = fields.Dict(keys=fields.String(validate=validate.Length(min=2, max=35)),
                        values=fields.Nested(TextsSchema), required=True,
                        validate=validate.Length(min=1), metadata={"minProperties": 1})
    default_locale = fields.String(validate=validate.Length(min=2, max=35))
    touchpoint = fields.String(validate=validate.Length(max=64))
    rules = fields.Nested(RulesSchema)
    appearance = fields.Nested(AppearanceSchema)
    show_on = fields.Nested(ShowOnSchema)
    # Off, always, or automatic: when answers surge (docs/protection.md, "Proof of work").
    proof_of_work = fields.String(validate=validate.OneOf(["off", "always", "automatic"]))


class SurveyCreateSchema(ma.Schema):
    key = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    active = fields.Boolean(load_default=True)
    config = fields.Nested(SurveyConfigSchema, required=True)


class SurveyUpdateSchema(ma.Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    active = fields.Boolean()
    config = fields.Nested(SurveyConfigSchema)


class SurveySchema(ma.Schema):
    id = fields.Integer()
    key = fields.String()
    name = fields.String()
    active = fields.Boolean()
    version = fields.Integer(metadata={"description": "Number of the current version"})
    version_id = fields.Integer()
    config = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SurveyListSchema(ma.Schema):
    data = fields.List(fields.Nested(SurveySchema))
