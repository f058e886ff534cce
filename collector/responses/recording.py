"""Recording answers and reading them back, newest first, with keyset cursors."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from collector.analytics.statistics import category_of
from collector.core.rows import insert_row
from collector.core.validation import id_in_range
from collector.eligibility.invitations import record_answer
from collector.followups.cases import after_response
from collector.models import Person, Response, Survey, SurveyVersion
from collector.people.lookup import PersonRecord


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class NewResponse:
    """An answer as the API, a hosted page or an import hands it over."""

    score: int
    comment: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None
    channel: str = "in_app"
    touchpoint: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    value: float | None = None
    invitation_id: int | None = None
    fingerprint: str | None = None
    verdict: str = "accepted"
    verdict_reasons: tuple[str, ...] = ()
    verdict_signals: tuple[str, ...] = ()


def record_response(
    session: Session, survey: Any, person: Any, answer: NewResponse, now: datetime, *,
    person_is_new: bool = False, site: Any = None,
) -> Response:
    """Store the answer, note it in the person's history and tell whoever listens.
    ``survey`` and ``person`` may be models or their snapshots (collector/core/config_cache.py,
    collector/people/lookup.py); ``person_is_new``: created in this transaction, so there is no
    earlier invitation or case of theirs to look up; ``site`` spares the follow-up rules
    their site look-up."""
    assert survey.current_version_id is not None
    response = insert_row(
        session, Response,
        site_id=survey.site_id, survey_id=survey.id, survey_version_id=survey.current_version_id,
        person_id=person.id if person else None, invitation_id=answer.invitation_id,
        score=answer.score, category=category_of(answer.score), comment=answer.comment,
        answers=dict(answer.answers), locale=answer.locale, channel=answer.channel,
        touchpoint=answer.touchpoint, properties=dict(answer.properties),
        value=answer.value if answer.value is not None else (person.value if person else None),
        verdict=answer.verdict, verdict_reasons=list(answer.verdict_reasons),
        verdict_signals=list(answer.verdict_signals),
        fingerprint=answer.fingerprint, created_at=now, updated_at=now,
    )
    record_answer(session, response, now, survey=survey, person=person,
                  person_is_new=person_is_new)
    after_response(session, survey, person, response, now, site=site,
                   person_is_new=person_is_new)
    return response


@dataclass(frozen=True)
class ResponseRow:
    """A response joined with what its dump needs."""

    response: Response
    survey_key: str
    survey_version_number: int
    # The hot path's submit has the person as a record it read, not as an ORM object.
    person: Person | PersonRecord | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.response, name)


def encode_cursor(created_at: datetime, response_id: int) -> str:
    raw = f"{created_at.isoformat()}|{response_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _, ident = base64.urlsafe_b64decode(padded).decode().partition("|")
        return datetime.fromisoformat(stamp), id_in_range(int(ident))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidCursor(cursor) from error


def response_rows(session: Session, responses: list[Response]) -> list[ResponseRow]:
    """Attach survey keys, version numbers and people with two queries, not one per row."""
    version_ids = {r.survey_version_id for r in responses}
    person_ids = {r.person_id for r in responses if r.person_id is not None}
    versions = {
        v.id: (key, v.number)
        for v, key in session.execute(
            select(SurveyVersion, Survey.key).join(Survey, Survey.id == SurveyVersion.survey_id)
            .where(SurveyVersion.id.in_(version_ids))
        )
    } if version_ids else {}
    people = {
        p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))
    } if person_ids else {}
    return [
        ResponseRow(r, versions[r.survey_version_id][0], versions[r.survey_version_id][1],
                    people.get(r.person_id) if r.person_id is not None else None)
        for r in responses
    ]


def list_responses(
    session: Session, site_id: int, *, survey_id: int | None = None,
    since: datetime | None = None, until: datetime | None = None, verdict: str | None = None,
    limit: int = 50, cursor: str | None = None,
) -> tuple[list[Response], str | None]:
    """Newest first. Returns one page and the cursor of the next (``None`` at the end)."""
    query = select(Response).where(Response.site_id == site_id)
    if survey_id is not None:
        query = query.where(Response.survey_id == survey_id)
    if since is not None:
        query = query.where(Response.created_at >= since)
    if until is not None:
        query = query.where(Response.created_at < until)
    if verdict is not None:
        query = query.where(Response.verdict == verdict)
    if cursor:
        created_at, response_id = decode_cursor(cursor)
        query = query.where(or_(
            Response.created_at < created_at,
            and_(Response.created_at == created_at, Response.id < response_id),
        ))
    rows = list(session.scalars(
        query.order_by(Response.created_at.desc(), Response.id.desc()).limit(limit + 1)
    ))
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if more else None
    return page, next_cursor
