"""Tenpoint collector: ``create_app`` builds the Flask application."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import EnvironHeaders
from werkzeug.middleware.proxy_fix import ProxyFix

from collector import (
    auth,
    config_cache,
    database,
    errors,
    guards,
    localization,
    ratelimit,
    requestid,
)
from collector.config import finalize_config, load_config
from collector.extensions import rest_api

# One source: setup.cfg's version, read from the installed distribution's metadata.
__version__ = version("tenpoint-collector")


class QuietEnvironHeaders(EnvironHeaders):
    """werkzeug's request headers, with ``get`` answering a missing header without raising
    and catching a ``KeyError`` inside: a widget's call lacks most headers anyone asks for
    (Authorization, Origin, Idempotency-Key, X-Request-Id…), on every page view."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        if not isinstance(key, str):
            return super().get(key, default, type)
        name = key.upper().replace("-", "_")
        value = self.environ.get(name if name in {"CONTENT_TYPE", "CONTENT_LENGTH"}
                                 else f"HTTP_{name}")
        if value is None:
            return default
        if type is None:
            return value
        try:
            return type(value)
        except ValueError:
            return default


class TenpointRequest(Request):
    def __init__(self, environ: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(environ, *args, **kwargs)
        self.headers = QuietEnvironHeaders(environ)


class TenpointFlask(Flask):
    """Flask that remembers which handlers are coroutines. Flask asks ``inspect`` afresh for
    every before- and after-request hook of every request (1 % of a widget page view's CPU,
    py-spy), though a function's kind never changes."""

    request_class = TenpointRequest

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._synced: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._synced[func]
        except KeyError:
            synced = self._synced[func] = super().ensure_sync(func)
            return synced
        except TypeError:  # an unhashable callable: asked each time, as Flask does
            return super().ensure_sync(func)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Defaults, then ``TENPOINT_*`` variables, then ``test_config``; extensions; blueprints."""
    instance_path = os.environ.get("TENPOINT_INSTANCE_PATH") or None
    app = TenpointFlask(__name__, instance_path=instance_path, instance_relative_config=True)
    config = load_config(app.instance_path)
    config.update(test_config or {})
    finalize_config(config, app.instance_path)
    app.config.update(config)
    app.config.update(
        API_TITLE="Tenpoint API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    logging.basicConfig(level=app.config["LOG_LEVEL"])

    database.init_app(app)
    config_cache.init_app(app)
    rest_api.init_app(app)
    rest_api.spec.components.security_scheme(
        "apiKey", {"type": "http", "scheme": "bearer",
                   "description": "pk_ (browser), sk_ (server), rk_ (read-only), ak_ (admin)"})
    auth.init_app(app)
    errors.init_app(app)
    localization.init_app(app)
    requestid.init_app(app)
    ratelimit.init_app(app)
    guards.init_app(app)
    if app.config["TRUSTED_PROXIES"] > 0:
        # The client IP is the socket's unless we sit behind proxies we were told about.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]

    from collector import api as api_blueprints
    from collector import cli, pages, widget

    api_blueprints.register(rest_api)
    app.register_blueprint(pages.bp)
    app.register_blueprint(widget.bp)
    from collector.pages.hosted import bp as hosted_bp
    app.register_blueprint(hosted_bp)
    from collector.api.delighted import bp as delighted_bp
    app.register_blueprint(delighted_bp)
    from collector.pages.report import bp as report_bp
    app.register_blueprint(report_bp)
    cli.init_app(app)
    return app
