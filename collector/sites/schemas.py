"""What ``/v1/site`` and ``tenpoint sites`` accept and answer. Settings are checked here, once,
for both: an unknown setting or a wrong type is refused, never stored to be ignored later."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from collector.core.validation import FullMatch
from collector.surveys.schemas import RulesSchema

ORIGINS = validate.Length(max=100)
# What normalize_origin accepts, stated in the document: scheme, host and an optional port.
ORIGIN_PATTERN = (r"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.-]+(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}"
                  r"|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?/?$")
ORIGIN = fields.String(validate=[validate.Length(min=1, max=300),
                                 FullMatch(ORIGIN_PATTERN)])
SHARE = validate.Range(min=0, max=1, min_inclusive=False, max_inclusive=False)
DAYS = validate.Range(min=1)


class SiteSettingsSchema(ma.Schema):
    """The site-wide settings, each documented where it acts (docs/sites.md lists them).
    ``null`` removes a setting, which brings back its default."""

    eligibility = fields.Nested(
        RulesSchema, allow_none=True,
        metadata={"description": "Eligibility defaults (docs/eligibility.md)"})
    followup = fields.Dict(keys=fields.String(), allow_none=True,
                           metadata={"description": "Follow-up rules (docs/followups.md)"})
    retention_comment_days = fields.Integer(validate=DAYS, allow_none=True)
    retention_anonymise_days = fields.Integer(validate=DAYS, allow_none=True)
    delighted_survey = fields.String(validate=validate.Length(min=1, max=100), allow_none=True)
    rollup_properties = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                                    validate=validate.Length(max=20), allow_none=True)
    alerts_enabled = fields.Boolean(allow_none=True)
    alert_alpha = fields.Float(validate=SHARE, allow_none=True)
    alert_clear_alpha = fields.Float(validate=SHARE, allow_none=True)
    alert_min_n = fields.Integer(validate=validate.Range(min=1), allow_none=True)
    alert_window_days = fields.Float(validate=validate.Range(min=1), allow_none=True)
    alert_baseline_days = fields.Float(validate=validate.Range(min=1), allow_none=True)


class SiteUpdateSchema(ma.Schema):
    """Every field optional. ``allowed_origins`` replaces the list; ``add_origins`` and
    ``remove_origins`` edit it. ``settings`` is merged key by key."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    allowed_origins = fields.List(ORIGIN, validate=ORIGINS)
    add_origins = fields.List(ORIGIN, validate=ORIGINS)
    remove_origins = fields.List(ORIGIN, validate=ORIGINS)
    settings = fields.Nested(SiteSettingsSchema)
    default_locale = fields.String(validate=validate.Length(min=2, max=35))
    require_identity = fields.Boolean(
        metadata={"description": "Refuse a user_id from the browser without an identity token"})


class SiteSchema(ma.Schema):
    slug = fields.String()
    name = fields.String()
    allowed_origins = fields.List(fields.String(),
                                  metadata={"description": "Origins a publishable key works on"})
    default_locale = fields.String()
    require_identity = fields.Boolean()
    settings = fields.Dict(keys=fields.String())
    created_at = fields.DateTime()
    identity_secret = fields.String(metadata={
        "description": "Signs identity tokens (docs/protection.md); admin keys only"})


class SiteChangeSchema(SiteSchema):
    changes = fields.Dict(keys=fields.String(), metadata={
        "description": "What this request changed: {field: {from, to}}, as audited"})


class IdentitySecretSchema(ma.Schema):
    identity_secret = fields.String(metadata={"description": "The new secret, in force at once"})
