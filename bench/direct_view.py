"""The collector with its eligibility view served directly: an experiment, not a product.

Everything the collector does stays: every hook (request id, body guards, CORS, rate limits
when enabled, security headers), the key check (``require_key``), the idempotent
transaction (``write_endpoint``, which commits the display), the input and output schemas
and the view's own code. Left out are only the layers around the view: flask-smorest's
``arguments`` and ``response`` wrappers, webargs' parsing and Flask's ``MethodView``
dispatch. ``layers.py`` serves it next to the real collector to measure what those layers
cost under gunicorn; ``tests/bench/test_layers.py`` holds its answers to the collector's.

Invalid input is not answered in the API's shape here (a schema error becomes a 500): the
bench only sends valid checks.
"""

from __future__ import annotations

import inspect
from typing import Any

from flask import Flask, jsonify, request

from collector import create_app
from collector.access.auth import BROWSER, require_key
from collector.core.idempotency import write_endpoint
from collector.eligibility.views import checks as eligibility

# The view's own code, under flask-smorest's and our decorators (each keeps ``__wrapped__``).
_decide = inspect.unwrap(eligibility.Eligibility.post)
_load, _dump = eligibility.EligibilityInSchema(), eligibility.EligibilityOutSchema()


@require_key(*BROWSER)
@write_endpoint("eligibility")
def check() -> Any:
    return jsonify(_dump.dump(_decide(None, _load.load(request.get_json(force=True)))))


def serve_directly(app: Flask) -> Flask:
    """``app`` with its eligibility endpoint answered by ``check``."""
    app.view_functions["eligibility.Eligibility"] = check
    return app


def create() -> Flask:
    """For gunicorn: ``bench.direct_view:create()``."""
    return serve_directly(create_app())
