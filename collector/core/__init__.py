"""What every capability may use: the database, errors, the clock, request ids, idempotent
writes, the config cache and the hot path's statement plumbing. Imports no capability."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    """The database, the API object, errors in one shape, request ids and cheap guards."""
    from collector.core import config_cache, database, errors, guards, request_ids
    from collector.core.extensions import rest_api

    database.init_app(app)
    config_cache.init_app(app)
    rest_api.init_app(app)
    # flask-smorest's own `openapi` command group: `tenpoint --help` lists Tenpoint's commands
    # only; the document is served at /openapi.json and stored as docs/openapi.json.
    app.cli.commands.pop("openapi", None)
    rest_api.spec.components.security_scheme(
        "apiKey", {"type": "http", "scheme": "bearer",
                   "description": "pk_ (browser), sk_ (server), rk_ (read-only), ak_ (admin)"})
    errors.init_app(app)
    request_ids.init_app(app)
    guards.init_app(app)
    if app.config["TRUSTED_PROXIES"] > 0:
        # The client IP, scheme and host are the socket's and the request's own unless we
        # sit behind proxies we were told about: then those proxies' X-Forwarded-For, -Proto
        # and -Host say them (a TLS-terminating proxy makes the report's sign-in https).
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies,  # type: ignore[method-assign]
                                x_proto=proxies, x_host=proxies)
