"""The error tree: one base carrying what the collector said, a subclass per thing to act on.

Callers branch on the class (or on ``code``, the collector's stable snake_case code); people
read ``message``; support asks for ``request_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TenpointError(Exception):
    """Any failure talking to the collector."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        field: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.field = field
        self.body = body

    def __str__(self) -> str:
        details = [f"{name}={value}" for name, value in
                   (("status", self.status), ("code", self.code), ("request_id", self.request_id))
                   if value is not None]
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
                f"code={self.code!r}, request_id={self.request_id!r})")


class APIConnectionError(TenpointError):
    """The collector could not be reached, or did not answer in time (after the retries)."""


class AuthenticationError(TenpointError):
    """401: the key is missing, unknown, revoked or expired."""


class PermissionDeniedError(TenpointError):
    """403: the key's role may not do this (for example a read key posting a trigger)."""


class NotFoundError(TenpointError):
    """404: no such survey, invitation, person, ..."""


class ConflictError(TenpointError):
    """409: for example an ``Idempotency-Key`` reused with a different body."""


class ValidationError(TenpointError):
    """400/422: the request was refused as invalid; ``fields`` maps each field to its messages."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.fields: dict[str, list[str]] = dict(fields or {})


class RateLimitError(TenpointError):
    """429: too many requests; ``retry_after`` is how many seconds the collector asked for."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class APIStatusError(TenpointError):
    """Any other error status (5xx after the retries, 413, ...)."""


def error_from_response(
    status: int, body: Any, request_id: str | None, retry_after: float | None
) -> TenpointError:
    """Build the exception matching an error answer ``{"error": {code, message, ...}}``."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), str) else None
    message = error.get("message") if isinstance(error.get("message"), str) else None
    message = message or f"The collector answered HTTP {status}."
    field = error.get("field") if isinstance(error.get("field"), str) else None
    common: dict[str, Any] = {"status": status, "code": code, "request_id": request_id,
                              "field": field, "body": body if isinstance(body, dict) else None}
    if status == 401:
        return AuthenticationError(message, **common)
    if status == 403:
        return PermissionDeniedError(message, **common)
    if status == 404:
        return NotFoundError(message, **common)
    if status == 409:
        return ConflictError(message, **common)
    if status in (400, 422):
        fields = error.get("fields")
        if not isinstance(fields, dict):
            fields = {field: [message]} if field else {}
        return ValidationError(message, fields=fields, **common)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after, **common)
    return APIStatusError(message, **common)


class InvalidBodyError(TenpointError, ValueError):
    """A call's data cannot be sent as JSON (NaN or Infinity in it); raised before sending,
    also in background mode. ``field`` names where, as a dotted path."""


class ConfigurationError(TenpointError, ValueError):
    """The client was built without a key or URL, or with a bad option."""
