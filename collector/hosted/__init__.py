"""Hosted survey pages (``/s/<token>``): a link from an email or a message, answered without
the widget, with or without JavaScript."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.hosted import views

    app.register_blueprint(views.bp)
