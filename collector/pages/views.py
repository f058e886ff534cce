"""Server-rendered pages: health, the demo portal and the API reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui_bundle
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from collector.core.database import database_answers
from collector.core.errors import APIError
from collector.core.extensions import db, rest_api
from collector.models import Site
from collector.pages.snippet import embed_code
from collector.surveys.demo import DEMO_SITE, DEMO_SURVEY, demo_keys
from collector.version import __version__

bp = Blueprint("pages", __name__)
STATIC = Path(__file__).resolve().parent.parent / "static" / "pages"


@bp.get("/")
def index() -> ResponseReturnValue:
    """Somewhere useful instead of a 404: the demo when it is seeded, else the API reference."""
    seeded = db.session.scalars(select(Site.id).where(Site.slug == DEMO_SITE)).first()
    return redirect(url_for("pages.demo" if seeded is not None else "pages.docs"))


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
    return jsonify({"status": "ok", "version": __version__})


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


# Swagger UI's files, from the swagger-ui-bundle package (setup.cfg): served by the collector
# itself, so the page loads nothing from another origin. Only these names are served.
SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)
DOCS_ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")


@bp.get("/docs")
def docs() -> ResponseReturnValue:
    """The API reference: Swagger UI on /openapi.json, under a strict CSP."""
    spec: dict[str, Any] = rest_api.spec.to_dict()
    page = render_template("pages/docs.html", spec_url="/openapi.json",
                           title=f"{spec['info']['title']} {spec['info']['version']}")
    return page, 200, {"Content-Security-Policy": DOCS_CSP}


@bp.get("/docs/assets/<name>")
def docs_asset(name: str) -> ResponseReturnValue:
    """Swagger UI's script and stylesheet (cached for a day)."""
    if name not in DOCS_ASSETS:
        raise APIError(404, "not_found", "No such file.")
    return send_from_directory(SWAGGER_UI, name, max_age=86400)


@bp.get("/docs.js")
def docs_js() -> ResponseReturnValue:
    """The reference page's own script: Swagger UI's settings."""
    return send_from_directory(STATIC, "docs.js", max_age=3600)
