"""Extension objects, bound to an app by ``create_app`` through ``init_app``."""

from __future__ import annotations

import re
from typing import Any

from flask_smorest import Api
from flask_sqlalchemy_lite import SQLAlchemy

from collector.core.errors import ErrorSchema
from collector.core.guards import BoundedIntConverter, bounded_int_schema

# Errors any /v1 operation may answer, whatever its own view does (keys, limits, guards);
# documented on each so clients and schemathesis know them. collector/core/errors.py has the codes.
COMMON_ERRORS = {
    "401": "`missing_api_key`, `invalid_api_key`, or an `identity_token_*` refusal.",
    "403": "`wrong_key_role` or `origin_not_allowed`.",
    "429": "`rate_limited`; wait `Retry-After` seconds.",
}
BODY_ERRORS = {
    "400": "`bad_request` (malformed JSON) or `json_too_deep`.",
    "413": "`payload_too_large`.",
}
PATH_ERRORS = {"404": "`<thing>_not_found`."}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
RST_LITERAL = re.compile(r"``(.+?)``", re.S)


class TenpointApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Errors are rendered by collector.core.errors, in one shape for every surface."""

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        super().register_blueprint(blp, parameters=parameters, **options)
        self._document_common_errors()

    def _document_common_errors(self) -> None:
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, operations in self.spec._paths.items():  # apispec keeps no public accessor
            for method, operation in operations.items():
                if method in HTTP_METHODS:
                    _as_markdown(operation)
            if not path.startswith("/v1/"):
                continue  # /delighted answers in Delighted's own error shape
            for method, operation in operations.items():
                if method not in HTTP_METHODS:
                    continue
                errors = dict(COMMON_ERRORS)
                if "requestBody" in operation:
                    errors.update(BODY_ERRORS)
                if "{" in path:
                    errors.update(PATH_ERRORS)
                responses = operation.setdefault("responses", {})
                for status, description in errors.items():
                    responses.setdefault(status, {"description": description, "content": error})
                # In status order, as a reader scans them (the spec keeps insertion order).
                operation["responses"] = dict(sorted(responses.items()))


def _as_markdown(operation: dict[str, Any]) -> None:
    """Docstrings use reStructuredText's ``literal``; OpenAPI descriptions are Markdown."""
    for key in ("summary", "description"):
        if isinstance(operation.get(key), str):
            operation[key] = RST_LITERAL.sub(r"`\1`", operation[key])


# No pool_pre_ping: it costs a round trip on every request. A connection that a database
# restart broke fails once (503 with Retry-After, which clients retry), and SQLAlchemy then
# drops every pooled connection older than the failure (docs/reliability.md).
db = SQLAlchemy()
rest_api = TenpointApi()
# Path ids are bounded by what the database holds (collector/core/guards.py); documented as such.
rest_api.register_converter(BoundedIntConverter, bounded_int_schema)
