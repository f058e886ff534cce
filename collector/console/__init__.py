"""The console: the server-rendered pages where people read and act on the answers
(overview, responses, follow-ups, quarantine, surveys). Registers /console/ and the /report
redirects."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    # Each screen's module adds its routes to the console's blueprint when imported.
    from collector.console.views import (  # noqa: F401
        bp,
        followups,
        overview,
        quarantine,
        responses,
        surveys,
    )
    from collector.console.views.report_redirects import bp as report_redirects

    app.register_blueprint(bp)
    app.register_blueprint(report_redirects)
