"""Cheap refusals before a body costs anything: nesting depth, streamed size; and the
``nosniff`` header that keeps browsers from reading JSON as HTML.

The declared ``Content-Length`` is checked by ``collector.errors.refuse_oversized_body``; a
chunked body has none, so ``bound_chunked_body`` counts it while reading.
"""

from __future__ import annotations

import io
import re
from itertools import accumulate
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from collector.errors import APIError

# Deeper than any body our schemas accept (properties are flat, answers one level), and far
# below where Python's recursive JSON decoder would raise RecursionError (a 500).
MAX_JSON_DEPTH = 20
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_BODY_PATHS = ("/v1/", "/delighted/", "/s/")


# The largest id a BIGINT column holds; a larger one in a path would overflow the database
# driver (a 500) instead of simply finding nothing.
MAX_PATH_INT = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that cannot exceed a database integer: a larger value is a 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_PATH_INT)
        super().__init__(map, *args, **kwargs)


def bounded_int_schema(converter: BoundedIntConverter) -> dict[str, Any]:
    return {"type": "integer", "minimum": converter.min or 0, "maximum": converter.max}


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, brackets inside strings ignored."""
    stripped = _JSON_STRING.sub("", text)
    steps = (_DEPTH_STEP[match.group()] for match in _BRACKETS.finditer(stripped))
    return max(accumulate(steps, initial=0))


def bound_chunked_body() -> None:
    """Read a chunked body up to the limit, and 413 past it.

    werkzeug stops reading a chunked body at ``MAX_CONTENT_LENGTH`` without a word, so the
    view would see a truncated body (a puzzling 400); we read one byte further to know.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    environ = request.environ
    if not limit or request.content_length is not None \
            or not environ.get("wsgi.input_terminated") \
            or "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    stream = environ["wsgi.input"]
    body = bytearray()
    while len(body) <= limit:
        chunk = stream.read(min(65536, limit + 1 - len(body)))
        if not chunk:
            break
        body += chunk
    if len(body) > limit:
        raise RequestEntityTooLarge()
    environ["wsgi.input"] = io.BytesIO(bytes(body))
    environ["CONTENT_LENGTH"] = str(len(body))


def refuse_deep_json() -> None:
    if request.method not in {"POST", "PUT", "PATCH"} or not request.path.startswith(_BODY_PATHS):
        return
    if request.mimetype not in {"application/json", "text/plain"} \
            and not request.mimetype.endswith("+json"):
        return
    body = request.get_data(cache=True)
    # Fewer opening brackets than the limit cannot nest deeper: every widget body, at the
    # cost of two byte counts instead of a scan.
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return
    if json_depth(body.decode("utf-8", errors="replace")) > MAX_JSON_DEPTH:
        raise APIError(400, "json_too_deep",
                       f"JSON nested deeper than {MAX_JSON_DEPTH} levels is refused.")


def add_nosniff(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def init_app(app: Flask) -> None:
    """Call before blueprints are registered: their ``<int:…>`` rules take the bound."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(bound_chunked_body)
    app.before_request(refuse_deep_json)
    app.after_request(add_nosniff)
