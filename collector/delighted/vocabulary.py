"""The Delighted v1 vocabulary, translated to and from Tenpoint's own objects.

Kept apart from the views so the compatibility layer stays thin: people, invitations and
responses are Tenpoint's; only names, shapes and time formats (unix seconds) change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.analytics.statistics import NpsCounts
from collector.core.validation import MAX_ID
from collector.models import Invitation, Person, Response, Site, Survey
from collector.people.lookup import find_person


class DelightedError(Exception):
    """An error in Delighted's shape: ``{"status", "message", "errors"?}``."""

    def __init__(self, status: int, message: str, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid(field: str, code: str = "invalid") -> DelightedError:
    return DelightedError(422, "Record invalid", [{"field": field, "code": code}])


def unix(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def from_unix(raw: Any, field: str) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(int(float(raw)), UTC)
    except (TypeError, ValueError, OverflowError) as error:
        raise invalid(field) from error


def integer(raw: Any, field: str, default: int, low: int, high: int) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as error:
        raise invalid(field) from error
    if not low <= value <= high:
        raise invalid(field, "out_of_range")
    return value


def truthy(raw: Any, default: bool = True) -> bool:
    if raw is None:
        return default
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() not in ("false", "0", "no", "off", "")


def survey_for(session: Session, site: Site, trend: str | None = None) -> Survey:
    """The survey Delighted calls go to: ``trend`` (a survey key), else the site setting
    ``delighted_survey``, else the first active survey by creation."""
    key = trend or (site.settings or {}).get("delighted_survey")
    query = select(Survey).where(Survey.site_id == site.id)
    if key:
        survey = session.scalars(query.where(Survey.key == str(key))).first()
        if survey is None:
            raise DelightedError(404, f"No survey {key!r} (trend) on this site.")
        return survey
    survey = session.scalars(query.where(Survey.active.is_(True)).order_by(Survey.id)).first()
    if survey is None:
        raise DelightedError(422, "This site has no active survey.")
    return survey


def find_by_identifier(session: Session, site_id: int, identifier: str) -> Person | None:
    """``123`` (the id), ``email:ana@example.com``; ``phone_number:…`` never matches."""
    kind, _, value = identifier.partition(":")
    query = select(Person).where(Person.site_id == site_id)
    if not value:
        if not identifier.isdigit() or int(identifier) > MAX_ID:
            return None
        return session.scalars(query.where(Person.id == int(identifier))).first()
    if kind == "email":
        return find_person(session, site_id, email=value)
    if kind == "id" and value.isdigit():
        return session.scalars(query.where(Person.id == int(value))).first()
    return None


@dataclass(frozen=True)
class PersonDates:
    """What Delighted's person object says about surveys sent, scheduled and answered."""

    last_sent_at: datetime | None = None
    last_responded_at: datetime | None = None
    next_survey_scheduled_at: datetime | None = None


def person_dates(session: Session, person_ids: set[int]) -> dict[int, PersonDates]:
    """The dates of many people in three grouped queries (not three per person)."""
    if not person_ids:
        return {}

    def per_person(model: Any, moment: Any, *where: Any) -> dict[int, datetime]:
        rows = session.execute(select(model.person_id, moment)
                               .where(model.person_id.in_(person_ids), *where)
                               .group_by(model.person_id))
        return {person_id: value for person_id, value in rows.all() if value is not None}

    sent = per_person(Invitation, func.max(Invitation.sent_at))
    answered = per_person(Response, func.max(Response.created_at))
    scheduled = per_person(Invitation, func.min(Invitation.send_at),
                           Invitation.status == "pending", Invitation.channel == "email")
    return {pid: PersonDates(sent.get(pid), answered.get(pid), scheduled.get(pid))
            for pid in person_ids}


def person_json(person: Person, scheduled_at: datetime | None = None,
                dates: PersonDates | None = None) -> dict[str, Any]:
    dates = dates or PersonDates()
    return {"id": str(person.id), "email": person.shown_email, "name": person.name,
            "phone_number": None, "created_at": unix(person.first_seen_at),
            "last_sent_at": unix(dates.last_sent_at),
            "last_responded_at": unix(dates.last_responded_at),
            "next_survey_scheduled_at": unix(scheduled_at or dates.next_survey_scheduled_at),
            "properties": dict(person.properties or {}),
            "survey_scheduled_at": unix(scheduled_at)}


def response_json(response: Response, person: Person | None, *, expand_person: bool,
                  permalink: str, dates: PersonDates | None = None) -> dict[str, Any]:
    person_value: Any = str(response.person_id) if response.person_id else None
    if expand_person and person is not None:
        person_value = person_json(person, dates=dates)
    return {"id": str(response.id), "person": person_value, "survey_type": "nps",
            "score": response.score, "comment": response.comment, "permalink": permalink,
            "created_at": unix(response.created_at), "updated_at": unix(response.updated_at),
            "person_properties": dict(response.properties or {}), "notes": [], "tags": [],
            "additional_answers": []}


def metrics_json(counts: NpsCounts) -> dict[str, Any]:
    total = counts.total

    def share(count: int) -> float:
        return round(100.0 * count / total, 2) if total else 0.0

    return {"nps": round(counts.nps) if counts.nps is not None else 0,
            "promoter_count": counts.promoters, "promoter_percent": share(counts.promoters),
            "passive_count": counts.passives, "passive_percent": share(counts.passives),
            "detractor_count": counts.detractors,
            "detractor_percent": share(counts.detractors), "response_count": total}
