"""Server-rendered pages: health, the demo portal and the API reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    send_from_directory,
)
from flask.typing import ResponseReturnValue

from collector.core.database import database_answers
from collector.core.errors import APIError
from collector.core.extensions import rest_api
from collector.surveys.demo import DEMO_SITE, demo_keys

bp = Blueprint("pages", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static" / "pages"


# The demo and the API reference are pages of the collector's origin: no page elsewhere may
# frame them, and they load nothing but their own scripts and styles (the demo's widget talks
# to this collector; its shadow-root styles are constructed, which style-src allows).
PAGE_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@bp.after_request
def _page_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        for name, value in PAGE_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


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
    return render_template("pages/demo.html", site=DEMO_SITE, publishable_key=keys["publishable"])


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
