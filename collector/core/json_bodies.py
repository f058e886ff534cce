"""JSON bodies as the API accepts them, and text every database can store.

- UTF-8 without a byte order mark (RFC 8259); anything else, or malformed JSON, is a 400
  ``invalid_json`` in the error envelope, not werkzeug's generic page.
- Strict JSON: ``NaN``, ``Infinity`` and numbers too large for a double (``1e999``) are a 422
  naming the field. Python's decoder accepts them, PostgreSQL's ``jsonb`` refuses them (a 500)
  and SQLite stores them, then serves back bare ``NaN`` that breaks every JSON reader.
- No NUL character (PostgreSQL text cannot hold one) and no lone surrogate (``"\\ud800"``: not
  encodable as UTF-8, so no database and no JSON writer can take it) in any string or key.

Flask-free: the parser (collector/core/parsing.py) turns ``BodyRefused`` into an ``APIError``.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import Any

# NUL, and the surrogate halves that only a ``\\ud800`` escape can put in a decoded string.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BodyRefused(Exception):
    """Why a body is refused: HTTP status, stable code, message, field (dotted path)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class _NonFinite:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def load_json_body(raw: bytes) -> Any:
    """Decode a request body, refusing what the API does not take (see the module text)."""
    if raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BodyRefused(400, "invalid_json",
                          "The body starts with a byte order mark; send UTF-8 JSON without one.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyRefused(400, "invalid_json", "The body is not UTF-8 encoded JSON.") from error
    try:
        data = json.loads(text, parse_constant=_NonFinite)
    except json.JSONDecodeError as error:
        raise BodyRefused(400, "invalid_json",
                          f"The body is not valid JSON ({error.msg} at line {error.lineno}, "
                          f"column {error.colno}).") from error
    check_storable(data)
    return data


def check_storable(data: Any, path: str = "") -> None:
    """Raise ``BodyRefused`` (422) naming the first field that holds a non-finite number,
    a NUL character or a lone surrogate."""
    if isinstance(data, str):
        if UNSTORABLE.search(data):
            raise _unstorable_text(path)
    elif isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if UNSTORABLE.search(key):
                raise _unstorable_text(path or "_schema")
            check_storable(value, where)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            check_storable(value, f"{path}.{index}" if path else str(index))
    elif isinstance(data, _NonFinite) or (isinstance(data, float) and not math.isfinite(data)):
        raise BodyRefused(422, "validation_failed",
                          f"{path or 'body'}: NaN and Infinity are not JSON numbers; send a "
                          "finite number or null.", path or None)


def _unstorable_text(path: str) -> BodyRefused:
    return BodyRefused(422, "validation_failed",
                       f"{path or 'body'}: text may not contain NUL characters or unpaired "
                       "UTF-16 surrogates.", path or None)
