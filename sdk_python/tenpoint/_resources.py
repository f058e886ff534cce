"""The API's resources as attributes of the client: ``client.tickets.resolved(...)`` etc."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import quote

from tenpoint._models import InvitationId, ListIterator

if TYPE_CHECKING:
    from tenpoint._client import Client

Properties = Mapping[str, Union[str, int, float, bool, None]]
TICKET_STATUSES = ("open", "pending", "solved", "closed")


def _segment(value: object) -> str:
    return quote(str(value), safe="")


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


class _Resource:
    def __init__(self, client: Client) -> None:
        self._client = client

    def _list(self, path: str, params: Mapping[str, Any]) -> ListIterator:
        def fetch(cursor: str | None) -> Any:
            return self._client._get(path, {**params, "cursor": cursor})

        return ListIterator(fetch)


class Tickets(_Resource):
    """Support tickets: an open ticket holds surveys back; its resolution can trigger one."""

    def update(self, ticket_id: str, *, status: str, user_id: str | None = None,
               email: str | None = None, at: datetime | str | None = None,
               idempotency_key: str | None = None) -> Any:
        """Record a ticket's new status (open, pending, solved, closed); an older event for
        the same ticket changes nothing. Returns the collector's answer (True/False when
        queued in background mode)."""
        if status not in TICKET_STATUSES:
            raise ValueError(f"status must be one of {', '.join(TICKET_STATUSES)}")
        body = _drop_none(ticket_id=ticket_id, user_id=user_id, email=email, status=status,
                          at=at)
        return self._client._write("POST", "/v1/tickets", body, idempotency_key)

    def opened(self, ticket_id: str, *, user_id: str | None = None, email: str | None = None,
               at: datetime | str | None = None, idempotency_key: str | None = None) -> Any:
        return self.update(ticket_id, status="open", user_id=user_id, email=email, at=at,
                           idempotency_key=idempotency_key)

    def resolved(self, ticket_id: str, *, user_id: str | None = None, email: str | None = None,
                 at: datetime | str | None = None, idempotency_key: str | None = None) -> Any:
        return self.update(ticket_id, status="solved", user_id=user_id, email=email, at=at,
                           idempotency_key=idempotency_key)


class People(_Resource):
    """People: attributes used by targeting, unsubscribes, erasure and export."""

    def update(self, user_id: str | None = None, *, email: str | None = None,
               name: str | None = None, locale: str | None = None,
               properties: Properties | None = None, value: float | None = None,
               signed_up_at: datetime | str | None = None,
               idempotency_key: str | None = None) -> Any:
        """Create or update a person, by user id and/or email. ``signed_up_at``: when they
        signed up to your product (``min_days_since_signup`` counts from it)."""
        if user_id is None and email is None:
            raise ValueError("people.update needs user_id or email")
        body = _drop_none(user_id=user_id, email=email, name=name, locale=locale,
                          properties=dict(properties) if properties is not None else None,
                          value=value, signed_up_at=signed_up_at)
        return self._client._write("POST", "/v1/people", body, idempotency_key)

    def unsubscribe(self, user_id: str | None = None, *, email: str | None = None,
                    idempotency_key: str | None = None) -> Any:
        """Stop survey email for this person."""
        if user_id is None and email is None:
            raise ValueError("people.unsubscribe needs user_id or email")
        body = _drop_none(user_id=user_id, email=email)
        return self._client._write("POST", "/v1/people/unsubscribe", body, idempotency_key)

    def delete(self, user_id: str) -> Any:
        """Erase this person everywhere (audited by the collector)."""
        return self._client._write("DELETE", f"/v1/people/{_segment(user_id)}")

    def export(self, user_id: str) -> Any:
        """Everything the collector stores about this person (always synchronous)."""
        return self._client._get(f"/v1/people/{_segment(user_id)}/export")


class Invitations(_Resource):
    """Invitations created by triggers."""

    def list(self, *, survey: str | None = None, status: str | None = None,
             limit: int | None = None, **filters: Any) -> ListIterator:
        """Every matching invitation (``status``: pending, sent, answered, cancelled,
        expired), newest first, fetched page by page as you iterate."""
        params = _drop_none(survey=survey, status=status, limit=limit, **filters)
        return self._list("/v1/invitations", params)

    def cancel(self, invitation_id: InvitationId, *, idempotency_key: str | None = None) -> Any:
        """Cancel a pending invitation."""
        return self._client._write("POST", f"/v1/invitations/{_segment(invitation_id)}/cancel",
                                   None, idempotency_key)


class Responses(_Resource):
    """Survey responses."""

    def create(self, survey: str, score: int, *, comment: str | None = None,
               answers: Mapping[str, str] | None = None, user_id: str | None = None,
               email: str | None = None, locale: str | None = None, channel: str = "api",
               touchpoint: str | None = None, properties: Properties | None = None,
               value: float | None = None, idempotency_key: str | None = None) -> Any:
        """Record an answer collected by your own backend (an import, your own form).

        Returns the stored response (True/False when queued in background mode); a retry
        never stores it twice.
        """
        body = _drop_none(survey=survey, score=score, comment=comment,
                          answers=dict(answers) if answers is not None else None,
                          user_id=user_id, email=email, locale=locale, channel=channel,
                          touchpoint=touchpoint,
                          properties=dict(properties) if properties is not None else None,
                          value=value)
        return self._client._write("POST", "/v1/responses", body, idempotency_key)

    def list(self, *, survey: str | None = None, since: datetime | str | None = None,
             until: datetime | str | None = None, verdict: str | None = None,
             limit: int | None = None, **filters: Any) -> ListIterator:
        """Every matching response, newest first, fetched page by page (``limit`` per page)."""
        params = _drop_none(survey=survey, since=since, until=until, verdict=verdict,
                            limit=limit, **filters)
        return self._list("/v1/responses", params)


class Metrics(_Resource):
    """NPS figures."""

    def nps(self, *, survey: str | None = None, since: datetime | str | None = None,
            until: datetime | str | None = None, group_by: str | None = None,
            **filters: Any) -> Any:
        """NPS over a span (``group_by`` as the collector supports it)."""
        params = _drop_none(survey=survey, since=since, until=until, group_by=group_by,
                            **filters)
        return self._client._get("/v1/metrics/nps", params)
