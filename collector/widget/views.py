"""Serves the built widget script with a long cache and an ETag."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from pathlib import Path

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from collector.core.errors import APIError

bp = Blueprint("widget", __name__)
# The built widget is committed and carried by the package (docs/deployment.md).
STATIC = Path(str(files("collector").joinpath("static")))
ASSETS = {"widget.js": "application/javascript", "widget.css": "text/css"}


def missing_assets() -> list[str]:
    """Built widget files the package lacks (``tenpoint serve`` refuses to start without)."""
    return [f"the widget's {name} is missing from {STATIC} (run 'make widget')"
            for name in ASSETS if not (STATIC / name).is_file()]


@cache
def _built(path: Path, mtime: float) -> tuple[bytes, str]:
    body = path.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:20]


@bp.get("/<any('widget.js', 'widget.css'):asset>")
def widget_asset(asset: str) -> ResponseReturnValue:
    """The widget. Cached for a day, revalidated by ETag (the snippet URL never changes)."""
    path = STATIC / asset
    if not path.exists():
        raise APIError(503, "widget_not_built", "Run 'make widget' to build the widget.")
    body, etag = _built(path, path.stat().st_mtime)
    response = Response(body, mimetype=ASSETS[asset])
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)
