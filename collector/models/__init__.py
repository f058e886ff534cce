"""All models, imported here so Alembic and ``Base.metadata`` see every table."""

from collector.models.analytics import METRICS_INDEX
from collector.models.audit import AuditEntry
from collector.models.base import Base
from collector.models.delivery import WebhookDelivery, WebhookEndpoint
from collector.models.display_token import DisplayTokenUse
from collector.models.engagement import Contact, DecisionCount, Invitation, Ticket
from collector.models.followup import FollowupCase
from collector.models.integration import HelpdeskIntegration, IntegrationDelivery
from collector.models.job import Job, OnceMark
from collector.models.person import Person
from collector.models.response import IdempotencyRecord, Response
from collector.models.rollup import NpsDailyRollup, NpsRollupDirtyDay, NpsRollupState
from collector.models.site import ApiKey, Site
from collector.models.survey import Survey, SurveyVersion

__all__ = [
    "METRICS_INDEX",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Contact",
    "DecisionCount",
    "DisplayTokenUse",
    "FollowupCase",
    "HelpdeskIntegration",
    "IdempotencyRecord",
    "IntegrationDelivery",
    "Invitation",
    "Job",
    "NpsDailyRollup",
    "NpsRollupDirtyDay",
    "NpsRollupState",
    "OnceMark",
    "Person",
    "Response",
    "Site",
    "Survey",
    "SurveyVersion",
    "Ticket",
    "WebhookDelivery",
    "WebhookEndpoint",
]
