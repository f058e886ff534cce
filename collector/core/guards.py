"""Cheap refusals before a body costs anything: nesting depth, streamed size; and the
``nosniff`` header that keeps browsers from reading JSON as HTML.

A declared ``Content-Length`` is checked before the body is read; a chunked body has none, so
it is counted while reading.
"""

from __future__ import annotations

import io
import re
from itertools import accumulate
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from collector.core.errors import APIError
from collector.core.json_bodies import UNSTORABLE
from collector.core.validation import MAX_ID

# Deeper than any body our schemas accept (properties are flat, answers one level), and far
# below where Python's recursive JSON decoder would raise RecursionError (a 500).
MAX_JSON_DEPTH = 20
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_BODY_PATHS = ("/v1/", "/delighted/", "/s/")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


# The largest id an id column holds: every primary key is a 32-bit INTEGER on PostgreSQL
# (SQLite's are 64-bit, but never get past this either). A larger one in a path would
# overflow the parameter (a 500 on PostgreSQL) instead of simply finding nothing: a 404.
MAX_PATH_INT = MAX_ID


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


def guard_body() -> None:
    """Refuse a body before anything reads it: declared too large (413), streamed past the
    limit (413), or JSON nested too deep (400).

    One hook for the three, reading the WSGI environ rather than ``request``'s parsed
    properties: it runs on every request, and most requests (every page view) pass all three
    at the cost of a few dictionary look-ups (docs/decisions.md, "Per-request overheads").
    """
    environ = request.environ
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit:
        # As werkzeug reads it: a chunked body's Content-Length, if any, means nothing.
        if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            if environ.get("wsgi.input_terminated"):
                _read_chunked_body(environ, limit)
        elif (declared := environ.get("CONTENT_LENGTH", "").strip()).isdigit() \
                and int(declared) > limit:
            raise RequestEntityTooLarge()
    path = environ.get("PATH_INFO", "")
    if "\x00" in path:
        # No route, id or key holds a NUL; PostgreSQL would fail on it (a 500).
        raise APIError(404, "not_found", "No such path.")
    if environ.get("REQUEST_METHOD") in _BODY_METHODS and path.startswith(_BODY_PATHS):
        _refuse_deep_json()
        if request.mimetype in _FORM_TYPES:
            _refuse_unstorable_form()


def _read_chunked_body(environ: dict[str, Any], limit: int) -> None:
    """werkzeug stops reading a chunked body at ``MAX_CONTENT_LENGTH`` without a word, so the
    view would see a truncated body (a puzzling 400); we read one byte further to know."""
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


def _refuse_deep_json() -> None:
    mimetype = request.mimetype
    if mimetype not in {"application/json", "text/plain"} and not mimetype.endswith("+json"):
        return
    body = request.get_data(cache=True)
    # Fewer opening brackets than the limit cannot nest deeper: every widget body, at the
    # cost of two byte counts instead of a scan.
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return
    if json_depth(body.decode("utf-8", errors="replace")) > MAX_JSON_DEPTH:
        raise APIError(400, "json_too_deep",
                       f"JSON nested deeper than {MAX_JSON_DEPTH} levels is refused.")


def _refuse_unstorable_form() -> None:
    """Form fields (hosted pages, Delighted-style posts) cannot carry a NUL either; JSON
    bodies and query strings are checked by the parser (collector/core/json_bodies.py)."""
    for name, value in request.form.items(multi=True):
        if UNSTORABLE.search(value) or UNSTORABLE.search(name):
            raise APIError(422, "validation_failed",
                           f"{name}: text may not contain NUL characters.", field=name)


def add_nosniff(response: Response) -> Response:
    # ``set``: ``setdefault`` looks the header up first, and werkzeug answers a missing
    # header by raising and catching an exception; no answer of ours sets another value.
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    """Call before blueprints are registered: their ``<int:…>`` rules take the bound."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(guard_body)
    app.after_request(add_nosniff)
