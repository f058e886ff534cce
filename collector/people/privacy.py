"""One person's data: export everything stored about them, or erase it everywhere.

Erasure keeps the ``people`` row with no personal data and ``erased_at`` set, its user id,
email and browser id replaced by their erasure marks (collector/people/lookup.py), so a request
naming any of them finds the erased person, whom eligibility (``unsubscribed`` for erased
people) never contacts again; their scores stay in the aggregates without anything that
identifies them. docs/governance.md lists every table.

Beyond the person's own rows, copies of their data sit in JSON: job payloads (events and
webhook deliveries waiting or done, digests quoting a comment), stored idempotent replies
and case notes in the audit trail. Those are found in two steps: SQL narrows the rows
(their ids in the JSON paths events use, or one of their strings in the JSON text), then
Python compares whole values, so another person's answer is never touched because it
happens to contain the same word.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, delete, inspect, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from collector.analytics.rollup_builder import mark_person_dirty
from collector.core.audit import record_audit
from collector.core.rows import rows_changed
from collector.models import (
    AuditEntry,
    Contact,
    FollowupCase,
    IdempotencyRecord,
    Invitation,
    Job,
    Person,
    Response,
    Ticket,
)
from collector.people.lookup import ERASED_PREFIX, LOOKUP_COLUMNS, erasure_mark

# What erasure leaves of an answer (the row, and any copy of it in an event or a reply).
ERASED_ANSWER: dict[str, Any] = {"comment": None, "answers": {}, "properties": {},
                                 "locale": None, "value": None, "person": None}
ANSWER_KEYS = frozenset({"id", "score", "category"})  # a dict with these is an answer
UNSENT = ("queued", "dead")
CLOCK_SKEW = timedelta(days=1)  # a dead job can be replayed by an admin: still unsent
# Replayed for a repeated request whose stored reply named an erased person.
ERASED_REPLY = {"error": {"code": "person_erased",
                          "message": "The data this request wrote has been erased."}}
ERASED_REPLY_STATUS = 410


def row_dict(row: Any) -> dict[str, Any]:
    """Every mapped column of a row, with times as ISO 8601 text."""
    out: dict[str, Any] = {}
    for column in inspect(row).mapper.column_attrs:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


def export_person(
    session: Session, person: Person, *, actor: str, now: datetime
) -> dict[str, Any]:
    """Everything stored about ``person``, by table; the export itself is audited."""
    def rows(model: Any, column: Any) -> list[dict[str, Any]]:
        return [row_dict(row) for row in session.scalars(
            select(model).where(column == person.id).order_by(model.id))]

    stored = row_dict(person)
    if person.erased_at is not None:  # erasure marks are never shown (docs/governance.md)
        stored.update(dict.fromkeys(LOOKUP_COLUMNS))
    export = {
        "exported_at": now.isoformat(),
        "person": stored,
        "responses": rows(Response, Response.person_id),
        "invitations": rows(Invitation, Invitation.person_id),
        "tickets": rows(Ticket, Ticket.person_id),
        "contacts": rows(Contact, Contact.person_id),
        "followups": rows(FollowupCase, FollowupCase.person_id),
    }
    record_audit(session, site_id=person.site_id, actor=actor, action="person.exported",
                 entity_type="person", entity_id=str(person.id), changes={}, at=now)
    return export


@dataclass(frozen=True)
class Erasure:
    person_id: int
    responses: int
    invitations_cancelled: int
    tickets: int
    contacts: int
    followups: int
    jobs_deleted: int = 0
    jobs_scrubbed: int = 0
    idempotency_records: int = 0
    audit_entries: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"responses": self.responses, "invitations_cancelled": self.invitations_cancelled,
                "tickets": self.tickets, "contacts": self.contacts, "followups": self.followups,
                "jobs_deleted": self.jobs_deleted, "jobs_scrubbed": self.jobs_scrubbed,
                "idempotency_records": self.idempotency_records,
                "audit_entries": self.audit_entries}


@dataclass(frozen=True)
class Traces:
    """How the person shows up in JSON copies: ids, and strings compared case-folded.

    ``identifiers`` (email, user id, anonymous id) name only them; ``words`` (name,
    comments, written answers) are theirs but not unique, so they are blanked in shared
    payloads (a digest quoting a comment) and never decide whether a reply is theirs."""

    person_id: int
    response_ids: frozenset[int]
    invitation_ids: frozenset[int]
    case_ids: frozenset[int]
    identifiers: frozenset[str]
    words: frozenset[str]
    # Nothing written before the person was first seen can hold their data; the margin
    # covers clocks that disagree between servers. Spares most rows the text search.
    since: datetime | None = None

    def identifies(self, value: Any) -> bool:
        return isinstance(value, str) and value.strip().casefold() in self.identifiers

    def quotes(self, value: Any) -> bool:
        folded = value.strip().casefold() if isinstance(value, str) else None
        return folded is not None and (folded in self.identifiers or folded in self.words)

    def strings(self) -> set[str]:
        return {*self.identifiers, *self.words}


def _traces(session: Session, person: Person) -> Traces:
    """Read before anything is blanked: what to look for elsewhere."""
    responses = session.execute(select(Response.id, Response.comment, Response.answers).where(
        Response.person_id == person.id)).all()
    words = {person.name or ""}
    for _, comment, answers in responses:
        words.add(comment or "")
        words.update(v for v in (answers or {}).values() if isinstance(v, str))
    # A repeated erasure finds marks, which were never copied anywhere.
    identifiers = {value for value in (person.email, person.external_id, person.anonymous_id)
                   if value and not value.startswith(ERASED_PREFIX)}
    return Traces(
        person.id, frozenset(r[0] for r in responses),
        frozenset(session.scalars(select(Invitation.id).where(
            Invitation.person_id == person.id))),
        frozenset(session.scalars(select(FollowupCase.id).where(
            or_(FollowupCase.person_id == person.id,
                FollowupCase.response_id.in_([r[0] for r in responses]))))),
        _folded(identifiers), _folded(words) - _folded(identifiers),
        person.first_seen_at - CLOCK_SKEW if person.first_seen_at else None)


def _folded(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values if v and v.strip())


def _is_answer(value: dict[str, Any]) -> bool:
    return value.keys() >= ANSWER_KEYS and isinstance(value["id"], int)


def scrub(value: Any, traces: Traces) -> Any:
    """A copy of a JSON value without the person: their answers as erasure leaves the row,
    their strings blanked, a dict naming them loses its ``name`` too. Another person's
    answer is returned as it is."""
    if isinstance(value, str):
        return None if traces.quotes(value) else value
    if isinstance(value, list):
        return [scrub(item, traces) for item in value]
    if not isinstance(value, dict):
        return value
    if _is_answer(value):
        if value["id"] not in traces.response_ids:
            return value
        clean = {key: scrub(item, traces) for key, item in value.items()}
        return {**clean, **{k: v for k, v in ERASED_ANSWER.items() if k in value}}
    clean = {key: scrub(item, traces) for key, item in value.items()}
    if "name" in clean and any(traces.identifies(item) for item in value.values()):
        clean["name"] = None
    return clean


def names(value: Any, traces: Traces) -> bool:
    """Does a stored reply name the person: one of their identifiers, one of their
    answers, or a reference to them by id?"""
    if isinstance(value, str):
        return traces.identifies(value)
    if isinstance(value, list):
        return any(names(item, traces) for item in value)
    if not isinstance(value, dict):
        return False
    if _is_answer(value) and value["id"] in traces.response_ids:
        return True
    ref = value.get("person")
    if isinstance(ref, dict) and ref.get("id") == traces.person_id:
        return True
    return any(names(item, traces) for item in value.values())


def _mentions(column: Any, strings: Iterable[str]) -> list[ColumnElement[bool]]:
    """SQL: the JSON text holds one of ``strings``, as SQLite stores it (non-ASCII escaped)
    or as PostgreSQL prints jsonb (raw); the Python comparison then decides."""
    text = cast(column, Text)
    forms = {json.dumps(s, ensure_ascii=escaped)[1:-1] for s in strings
             for escaped in (True, False)}
    return [text.icontains(form, autoescape=True) for form in sorted(forms)]


def _their_event(payload: dict[str, Any], kind: str, traces: Traces) -> bool:
    """Is this job only about the person: an event on one of their answers or cases (or
    its delivery), or the send time of one of their invitations?"""
    if kind == "invitation.due":
        return payload.get("invitation_id") in traces.invitation_ids
    event = payload if kind == "event.dispatch" else payload.get("event")
    if kind not in ("event.dispatch", "webhook.deliver") or not isinstance(event, dict):
        return False
    data, kind_of = event.get("data") or {}, str(event.get("type", ""))
    if kind_of.startswith("response."):
        return data.get("id") in traces.response_ids
    if kind_of.startswith("followup."):
        return (data.get("response_id") in traces.response_ids
                or data.get("id") in traces.case_ids)
    return False


def _by_ids(path: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    return path.as_string().in_([str(i) for i in sorted(ids)])


def _erase_from_jobs(session: Session, site_id: int, traces: Traces) -> tuple[int, int]:
    """Delete unsent jobs only about the person; scrub them out of every other payload."""
    answers = traces.response_ids | traces.case_ids
    found = [*_mentions(Job.payload, traces.strings())]
    if answers:
        found += [_by_ids(Job.payload[path], answers) for path in (
            ("data", "id"), ("data", "response_id"), ("event", "data", "id"),
            ("event", "data", "response_id"))]
    if traces.invitation_ids:
        found.append(_by_ids(Job.payload["invitation_id"], traces.invitation_ids))
    if not found:
        return 0, 0
    deleted = scrubbed = 0
    query = select(Job).where(Job.site_id == site_id, or_(*found))
    if traces.since is not None:
        query = query.where(Job.created_at >= traces.since)
    for job in list(session.scalars(query)):
        if job.status in UNSENT and _their_event(job.payload, job.kind, traces):
            session.delete(job)
            deleted += 1
            continue
        clean = scrub(job.payload, traces)
        if clean != job.payload:
            job.payload = clean
            scrubbed += 1
    return deleted, scrubbed


def _erase_from_replies(session: Session, site_id: int, traces: Traces) -> int:
    """Stored idempotent replies that name the person: the reply is replaced by 410
    ``person_erased``. The key and request hash stay, so a retried request is still
    recognised and not run again (which would write the person's data back)."""
    found = _mentions(IdempotencyRecord.body, traces.identifiers)
    if traces.response_ids:
        found += [_by_ids(IdempotencyRecord.body[path], traces.response_ids)
                  for path in (("id",), ("response", "id"))]
    found.append(IdempotencyRecord.body[("person", "id")].as_string() == str(traces.person_id))
    query = select(IdempotencyRecord).where(IdempotencyRecord.site_id == site_id, or_(*found))
    if traces.since is not None:
        query = query.where(IdempotencyRecord.created_at >= traces.since)
    blanked = 0
    for record in list(session.scalars(query)):
        if names(record.body, traces):
            record.body = dict(ERASED_REPLY)
            record.status_code = ERASED_REPLY_STATUS
            blanked += 1
    return blanked


def _erase_from_audit(session: Session, site_id: int, traces: Traces, now: datetime) -> int:
    """Case notes (which may quote the person) lose their text, like the case timeline;
    any other entry quoting one of their strings is scrubbed. Who did what, when, stays."""
    changed = 0
    if traces.case_ids:
        notes = session.scalars(select(AuditEntry).where(
            AuditEntry.site_id == site_id, AuditEntry.entity_type == "followup_case",
            AuditEntry.entity_id.in_([str(i) for i in sorted(traces.case_ids)]),
            AuditEntry.action == "followup.note"))
        for entry in list(notes):
            entry.changes = {"note": None, "erased_at": now.isoformat()}
            changed += 1
    found = _mentions(AuditEntry.changes, traces.strings())
    if not found:  # a repeated erasure: nothing of theirs is left to look for
        return changed
    query = select(AuditEntry).where(AuditEntry.site_id == site_id, or_(*found))
    if traces.since is not None:
        query = query.where(AuditEntry.at >= traces.since)
    for entry in list(session.scalars(query)):
        clean = scrub(entry.changes, traces)
        if clean != entry.changes:
            entry.changes = clean
            changed += 1
    return changed


def erase_person(session: Session, person: Person, *, actor: str, now: datetime) -> Erasure:
    """Remove personal data from every table; scores stay, anonymous, in the aggregates."""
    traces = _traces(session, person)
    mark_person_dirty(session, person.id)  # locale and value change: the roll-up must follow
    responses = rows_changed(session.execute(
        update(Response).where(Response.person_id == person.id)
        .values(comment=None, answers={}, properties={}, locale=None, value=None,
                fingerprint=None, updated_at=now)
    ))
    cancelled = rows_changed(session.execute(
        update(Invitation).where(Invitation.person_id == person.id,
                                 Invitation.status == "pending")
        .values(status="cancelled", cancel_reason="person_erased")
    ))
    session.execute(update(Invitation).where(Invitation.person_id == person.id)
                    .values(properties={}, locale=None, value=None, token_hash=None))
    tickets = rows_changed(session.execute(delete(Ticket).where(Ticket.person_id == person.id)))
    contacts = rows_changed(session.execute(delete(Contact).where(Contact.person_id == person.id)))
    # Case notes may quote the person; the case keeps its status for the team's figures.
    followups = rows_changed(session.execute(
        update(FollowupCase).where(FollowupCase.person_id == person.id)
        .values(timeline=[{"at": now.isoformat(), "actor": actor, "kind": "erased"}],
                updated_at=now)
    ))
    # Each identifier becomes its erasure mark: a later request naming it finds this person.
    for column in LOOKUP_COLUMNS:
        ident = getattr(person, column)
        if ident and not ident.startswith(ERASED_PREFIX):
            setattr(person, column, erasure_mark(person.site_id, column, ident))
    person.name = None
    person.locale = None
    person.properties = {}
    person.value = None
    person.signed_up_at = None
    person.unsubscribed_at = person.unsubscribed_at or now
    person.erased_at = person.erased_at or now
    person.updated_at = now
    jobs_deleted, jobs_scrubbed = _erase_from_jobs(session, person.site_id, traces)
    replies = _erase_from_replies(session, person.site_id, traces)
    audit = _erase_from_audit(session, person.site_id, traces, now)
    erasure = Erasure(person.id, responses, cancelled, tickets, contacts, followups,
                      jobs_deleted, jobs_scrubbed, replies, audit)
    record_audit(session, site_id=person.site_id, actor=actor, action="person.erased",
                 entity_type="person", entity_id=str(person.id), changes=erasure.as_dict(),
                 at=now)
    return erasure


def unsubscribe_person(session: Session, person: Person, *, actor: str, now: datetime) -> Person:
    """Stop email surveys for ``person``; idempotent, audited on the first call."""
    if person.unsubscribed_at is None:
        person.unsubscribed_at = now
        person.updated_at = now
        record_audit(session, site_id=person.site_id, actor=actor, action="person.unsubscribed",
                     entity_type="person", entity_id=str(person.id), changes={}, at=now)
    return person
