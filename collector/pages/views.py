"""Server-rendered pages: health, the demo portal and the API reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
)
from flask.typing import ResponseReturnValue

from collector.core.database import database_answers
from collector.core.errors import APIError
from collector.core.extensions import rest_api
from collector.pages.snippet import embed_code
from collector.surveys.demo import DEMO_SITE, DEMO_SURVEY, demo_keys

bp = Blueprint("pages", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static" / "pages"


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 only when the database answers; load balancers take a 503 collector out."""
    if not database_answers():
        raise APIError(503, "database_unavailable", "The database is not answering.",
                       headers={"Retry-After": "5"})
    return jsonify({"status": "ok"})


@bp.get("/demo")
def demo() -> ResponseReturnValue:
    """A small customer portal with the snippet embedded, as a newcomer's first look."""
    keys = demo_keys(current_app.config["SECRET_KEY"])
    return render_template("pages/demo.html", site=DEMO_SITE, publishable_key=keys["publishable"],
                           embed_code=embed_code(request.url_root.rstrip("/"),
                                                 keys["publishable"], DEMO_SURVEY))


@bp.get("/demo.css")
def demo_css() -> ResponseReturnValue:
    """Styles shared by the demo and docs pages."""
    return send_from_directory(STATIC, "demo.css", max_age=3600)


@bp.get("/demo.js")
def demo_js() -> ResponseReturnValue:
    """The demo portal's own script: the queue stub and a show call."""
    return send_from_directory(STATIC, "demo.js", max_age=3600)


@bp.get("/docs")
def docs() -> ResponseReturnValue:
    """The OpenAPI spec as a readable page, rendered on the server (no third-party script)."""
    spec: dict[str, Any] = rest_api.spec.to_dict()
    return render_template("pages/docs.html", spec=spec)
