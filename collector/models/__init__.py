"""All models, imported here so Alembic and ``Base.metadata`` see every table."""

from collector.models.audit import AuditEntry
from collector.models.base import Base
from collector.models.job import Job
from collector.models.person import Person
from collector.models.response import IdempotencyRecord, Response
from collector.models.site import ApiKey, Site
from collector.models.survey import Survey, SurveyVersion

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "IdempotencyRecord",
    "Job",
    "Person",
    "Response",
    "Site",
    "Survey",
    "SurveyVersion",
]
