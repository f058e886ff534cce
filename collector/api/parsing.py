"""flask-smorest Blueprint whose JSON parser also reads ``text/plain`` bodies.

Browsers post with ``Content-Type: text/plain`` so the request stays a CORS "simple request"
(no preflight round trip on every page view); the body is still JSON.
"""

from __future__ import annotations

import json
from typing import Any

import flask_smorest
from flask import Request
from webargs.core import missing
from webargs.flaskparser import FlaskParser


class BrowserFriendlyParser(FlaskParser):
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
