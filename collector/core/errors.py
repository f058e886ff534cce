"""One error type, one JSON shape: ``{"error": {"code", "message", "field"?, "fields"?}}``.

Codes are stable: callers branch on ``code``, people read ``message``.
"""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# Stable codes for the HTTP errors Flask and werkzeug raise themselves.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class APIError(Exception):
    """An error a caller can act on: HTTP status, stable code, message, field at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.fields = fields
        self.headers = headers or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable error code"})
    message = ma.fields.String(required=True, metadata={"description": "Human readable"})
    field = ma.fields.String(metadata={"description": "The field at fault, dotted path"})
    # The envelope's key is "fields", which shadows marshmallow's own attribute of that name
    # on the class (instances keep theirs); only the OpenAPI description is built from it.
    fields = ma.fields.Dict(  # type: ignore[assignment]
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Every invalid field and its messages"},
    )


class ErrorSchema(ma.Schema):
    """Documents the error envelope in the OpenAPI spec."""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into ``{"a.b": ["…"]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten_messages(value, path))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def validation_error(messages: Any) -> APIError:
    fields = flatten_messages(messages)
    first_field, first_messages = next(iter(fields.items()), ("_schema", ["Invalid input."]))
    field = None if first_field == "_schema" else first_field
    where = f"{field}: " if field else ""
    return APIError(
        422, "validation_failed", f"{where}{first_messages[0]}", field=field, fields=fields
    )


def _from_webargs(error: HTTPException) -> APIError | None:
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if error.code == 422 and messages:
        # webargs keys the messages by location (json, query, …); the field is what matters.
        if isinstance(messages, dict) and set(messages) <= {"json", "query", "form", "headers",
                                                            "files", "view_args", "cookies"}:
            merged: dict[str, Any] = {}
            for value in messages.values():
                merged.update(value if isinstance(value, dict) else {"_schema": value})
            messages = merged
        return validation_error(messages)
    return None


def handle_api_error(error: APIError) -> ResponseReturnValue:
    response = jsonify(error.to_dict())
    response.status_code = error.status
    response.headers.update(error.headers)
    return response


def handle_http_exception(error: HTTPException) -> ResponseReturnValue:
    api_error = _from_webargs(error)
    if api_error is None:
        status = error.code or 500
        code = HTTP_CODES.get(status, "http_error")
        message = error.description or error.name
        if status == 413:
            message = "The request body is larger than this collector accepts."
        api_error = APIError(status, code, message)
    response = handle_api_error(api_error)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[union-attr]
    return response


def handle_database_unavailable(error: DBAPIError) -> ResponseReturnValue:
    """A database that does not answer is a 503 a client can retry, never a 500."""
    if not error.connection_invalidated and not _is_connection_error(error):
        return handle_unexpected(error)
    log.warning("database unavailable: %s", error.orig)
    return handle_api_error(
        APIError(503, "database_unavailable", "The database is not answering; retry shortly.",
                 headers={"Retry-After": "2"})
    )


def _is_connection_error(error: DBAPIError) -> bool:
    name = type(error.orig).__name__
    return name in {"OperationalError", "InterfaceError"} and "lock" not in str(error.orig)


def handle_unexpected(error: Exception) -> ResponseReturnValue:
    log.exception("unhandled error", exc_info=error)
    return handle_api_error(APIError(500, "internal_error", "Something went wrong on our side."))


def init_app(app: Flask) -> None:
    app.register_error_handler(APIError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
