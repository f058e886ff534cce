"""Who gets surveyed, when and why not: the pure rules, the facts they need, page-view
checks, triggers, tickets, invitations (and their emails) and decision counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from collector.core.extensions import rest_api
    from collector.eligibility import invitations  # noqa: F401 - importing registers its jobs
    from collector.eligibility.views import checks, invitation_emails, tickets, triggers
    from collector.eligibility.views import invitations as invitation_views

    rest_api.register_blueprint(checks.blp)
    rest_api.register_blueprint(triggers.blp)
    rest_api.register_blueprint(tickets.blp)
    rest_api.register_blueprint(invitation_views.blp)
    rest_api.register_blueprint(invitation_emails.blp)
