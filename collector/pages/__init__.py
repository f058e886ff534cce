"""Pages for people rather than programs: health, the demo portal and the API reference."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.pages import views

    app.register_blueprint(views.bp)
