"""flask-smorest Blueprint whose JSON parser also reads ``text/plain`` bodies.

Browsers post with ``Content-Type: text/plain`` so the request stays a CORS "simple request"
(no preflight round trip on every page view); the body is still JSON.
"""

from __future__ import annotations

import json
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Request
from webargs.core import missing
from webargs.flaskparser import FlaskParser


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
        if req.mimetype == "text/plain":
            data = req.get_data(cache=True, as_text=True)
            if not data:
                return missing
            try:
                return json.loads(data)
            except json.JSONDecodeError as error:
                return self._handle_invalid_json_error(error, req)
        return super()._raw_load_json(req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = BrowserFriendlyParser()
