"""flask-smorest Blueprint whose JSON parser also reads ``text/plain`` bodies.

Browsers post with ``Content-Type: text/plain`` so the request stays a CORS "simple request"
(no preflight round trip on every page view); the body is still JSON.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Request, request
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request

from collector.core.errors import APIError
from collector.core.json_bodies import UNSTORABLE, BodyRefused, load_json_body


class BrowserFriendlyParser(FlaskParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[ma.Schema], ma.Schema] = {}

    def _get_schema(self, argmap: Any, req: Request) -> ma.Schema:
        # webargs builds a new instance of a schema class on every request (deep-copying its
        # fields: a measurable share of a page view's CPU); loading keeps no state in the
        # instance, so one per class is reused, as flask-smorest does for response schemas.
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req: Request) -> Any:
        # text/plain too (see above). Decoded strictly: collector/core/json_bodies.py.
        if req.mimetype != "text/plain" and not is_json_request(req):
            return missing
        data = req.get_data(cache=True)
        if not data:
            return missing
        try:
            return load_json_body(data)
        except BodyRefused as refused:
            raise APIError(refused.status, refused.code, refused.message,
                           field=refused.field) from refused

    def load_querystring(self, req: Request, schema: ma.Schema) -> Any:
        for name, value in req.args.items(multi=True):
            if UNSTORABLE.search(value) or UNSTORABLE.search(name):
                raise APIError(422, "validation_failed",
                               f"{name}: text may not contain NUL characters.", field=name)
        return super().load_querystring(req, schema)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = BrowserFriendlyParser()

    def arguments(self, schema: Any, *, location: str = "json", required: bool = True,
                  **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """As flask-smorest's, and a body the document marks required is required: without
        one (or with one that is not JSON), a 422 ``body_required`` rather than a request read
        as ``{}`` (which dropped a body sent with the wrong Content-Type, unnoticed)."""
        parse = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return parse

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            parsed = parse(view)

            @functools.wraps(parsed)
            def needs_body(*args: Any, **kwargs: Any) -> Any:
                if self.ARGUMENTS_PARSER._raw_load_json(request) is missing:
                    raise APIError(422, "body_required",
                                   "Send a JSON body (Content-Type: application/json).")
                return parsed(*args, **kwargs)

            return needs_body

        return decorator
