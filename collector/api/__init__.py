"""The JSON API under /v1, one flask-smorest blueprint per resource."""

from __future__ import annotations

from flask_smorest import Api

from collector.api import eligibility, metrics, responses, surveys

BLUEPRINTS = (surveys.blp, responses.blp, metrics.blp, eligibility.blp)


def register(api: Api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
