"""Serving the built widget script (built from widget/src) with a long cache and an ETag."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.widget import views

    app.register_blueprint(views.bp)
