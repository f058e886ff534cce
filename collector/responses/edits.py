"""Adding the comment and second answer to a response after its score.

The widget and the hosted page post the score first (so an abandoned follow-up never loses
it), then send the rest with ``PATCH /v1/responses/{id}``. A browser proves it may edit that
response with the ``edit_token`` it received in the POST's answer: an HMAC of the response id
and an expiry, keyed by the app secret, so nothing extra is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from collector.delivery.events import emit
from collector.followups.cases import response_data
from collector.models import Person, Response, Survey

EDIT_WINDOW = timedelta(hours=1)


def _signature(secret: str, response_id: int, expires: int) -> str:
    message = f"response-edit:{response_id}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def issue_edit_token(secret: str, response_id: int, now: datetime) -> str:
    expires = int((now + EDIT_WINDOW).timestamp())
    return f"{expires}.{_signature(secret, response_id, expires)}"


def edit_token_valid(secret: str, response_id: int, token: str, now: datetime) -> bool:
    expires_text, _, signature = token.partition(".")
    if not expires_text.isdigit():
        return False
    expected = _signature(secret, response_id, int(expires_text))
    return hmac.compare_digest(expected, signature) and int(expires_text) >= now.timestamp()


def update_response(
    session: Session, response: Response, *, comment: str | None = None,
    answers: dict[str, Any] | None = None, now: datetime,
) -> Response:
    """Set the comment (when given) and merge ``answers``; tell webhooks it changed."""
    if comment is not None:
        response.comment = comment
    if answers:
        response.answers = {**(response.answers or {}), **answers}
    response.updated_at = now
    session.flush()
    survey = session.get(Survey, response.survey_id)
    person = session.get(Person, response.person_id) if response.person_id else None
    assert survey is not None
    emit(session, site_id=response.site_id, type="response.updated", now=now,
         data=response_data(response, survey.key, person))
    return response
