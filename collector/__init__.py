"""Tenpoint collector: ``create_app`` builds the Flask application from its capabilities."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask

from collector import (
    access,
    analytics,
    cli,
    console,
    core,
    delighted,
    delivery,
    eligibility,
    followups,
    governance,
    hosted,
    integrations,
    languages,
    pages,
    people,
    protection,
    responses,
    sites,
    surveys,
    widget,
)
from collector.config import finalize_config, load_config
from collector.core.application import TenpointFlask
from collector.version import __version__

__all__ = ["__version__", "create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Defaults, then ``TENPOINT_*`` variables, then ``test_config``; then each capability."""
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

    core.init_app(app)
    access.init_app(app)
    sites.init_app(app)
    languages.init_app(app)
    protection.init_app(app)
    surveys.init_app(app)
    responses.init_app(app)
    analytics.init_app(app)
    eligibility.init_app(app)
    delivery.init_app(app)
    followups.init_app(app)
    people.init_app(app)
    governance.init_app(app)
    pages.init_app(app)
    widget.init_app(app)
    hosted.init_app(app)
    delighted.init_app(app)
    integrations.init_app(app)
    console.init_app(app)
    cli.init_app(app)
    return app
