"""The collector's request headers answer exactly as werkzeug's do (collector/__init__.py)."""

from __future__ import annotations

import pytest
from flask import Flask, request
from werkzeug.datastructures import EnvironHeaders

HEADERS = {"Content-Type": "text/plain", "X-Count": "12", "X-Bad-Count": "twelve",
           "User-Agent": "Mozilla/5.0"}


@pytest.mark.parametrize(("key", "default", "type_"), [
    ("Content-Type", None, None), ("content-type", None, None), ("Content-Length", None, int),
    ("X-Count", None, int), ("x_count", None, None), ("X-Bad-Count", "none", int),
    ("User-Agent", "", None), ("Authorization", "", None), ("Origin", None, None),
    ("X-Request-Id", "fallback", None),
])
def test_get_answers_as_werkzeug_does(app: Flask, key: str, default: object,
                                      type_: object) -> None:
    with app.test_request_context("/v1/x", method="POST", data=b"{}", headers=HEADERS):
        ours = request.headers.get(key, default, type_)  # type: ignore[call-overload]
        theirs = EnvironHeaders(request.environ).get(key, default, type_)  # type: ignore[call-overload]
        assert type(request.headers) is not EnvironHeaders
        assert ours == theirs
