"""The JSON API under /v1, one flask-smorest blueprint per resource."""

from __future__ import annotations

from flask_smorest import Api

from collector.api import (
    eligibility,
    followups,
    jobs,
    keys,
    metrics,
    quarantine,
    responses,
    surveys,
    webhooks,
)

BLUEPRINTS = (surveys.blp, responses.blp, metrics.blp, eligibility.blp,
              jobs.blp, webhooks.blp, followups.blp)
BLUEPRINTS += (quarantine.blp, keys.blp)
from collector.api import invitations, tickets, triggers  # noqa: E402

BLUEPRINTS += (triggers.blp, tickets.blp, invitations.blp)
from collector.api import audit, exports, people  # noqa: E402

BLUEPRINTS += (people.blp, exports.blp, audit.blp)
from collector.api import emails  # noqa: E402

BLUEPRINTS += (emails.blp,)


def register(api: Api) -> None:
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
