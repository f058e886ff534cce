"""Recording answers, editing them, reading them back, exporting them, and the quarantine of
answers that look automated. Registers their endpoints and ``tenpoint export``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.responses.commands import COMMANDS
    from collector.responses.views import answers, exports, quarantine

    rest_api.register_blueprint(answers.blp)
    rest_api.register_blueprint(exports.blp)
    rest_api.register_blueprint(quarantine.blp)
    for command in COMMANDS:
        app.cli.add_command(command)
