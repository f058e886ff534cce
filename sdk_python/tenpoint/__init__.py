"""Tenpoint Python SDK: trigger NPS surveys from your backend, read responses and metrics.

    import tenpoint

    client = tenpoint.Client()          # TENPOINT_API_KEY, TENPOINT_URL
    decision = client.trigger("support-nps", user_id="u-42", touchpoint="ticket_solved")
"""

from tenpoint import identity, webhooks
from tenpoint._client import Client
from tenpoint._errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    InvalidBodyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TenpointError,
    ValidationError,
)
from tenpoint._models import Decision, Invitation, ListIterator
from tenpoint._version import __version__
from tenpoint.webhooks import WebhookVerificationError

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "AuthenticationError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "Decision",
    "InvalidBodyError",
    "Invitation",
    "ListIterator",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "TenpointError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "identity",
    "webhooks",
]
