"""Invitations with link tokens, made through the same domain functions the API uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from collector.core.clock import now
from collector.core.extensions import db
from collector.core.survey_lookup import find_survey
from collector.eligibility.invitation_links import issue_token
from collector.eligibility.invitations import create_invitation
from collector.models import Survey
from collector.people.lookup import upsert_person


@dataclass(frozen=True)
class Invited:
    token: str
    invitation_id: int
    person_id: int


def make_invitation(app: Flask, site_id: int, survey_key: str = "nps", *,
                    email: str = "dana@example.com", locale: str | None = None,
                    channel: str = "email", status: str = "sent",
                    **person: Any) -> Invited:
    with app.app_context():
        sent_at = now()
        survey = find_survey(db.session, site_id, survey_key)
        assert isinstance(survey, Survey)
        who = upsert_person(db.session, site_id, sent_at, email=email, locale=locale, **person)
        assert who is not None
        invitation, _ = create_invitation(db.session, survey, who, channel=channel,
                                          send_at=sent_at, now=sent_at, locale=locale)
        token = issue_token(db.session, invitation, sent_at, secret=app.config["SECRET_KEY"])
        invitation.status = status
        db.session.commit()
        return Invited(token, invitation.id, who.id)


@pytest.fixture
def invite(app: Flask, site: Any, survey: str) -> Callable[..., Invited]:
    def build(**options: Any) -> Invited:
        return make_invitation(app, site.site_id, survey, **options)

    return build
