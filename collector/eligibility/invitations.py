"""Invitations: a survey to put in front of one person, now or later, through one channel.

A delayed invitation is a durable ``invitation.due`` job; at send time the rules are checked
again, so a ticket reopened in between cancels the invitation (with the reason).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.core.rows import rows_changed
from collector.core.validation import id_in_range
from collector.delivery import jobs
from collector.delivery.periodic import every, periodic
from collector.eligibility.decision_counts import count_decision
from collector.eligibility.facts import Who, evaluate, record_contact
from collector.models import Invitation, Person, Response, Site, Survey

DUE_JOB = "invitation.due"
EXPIRE_JOB = "invitations.expire"
EXPIRE_EVERY = timedelta(hours=1)
DEFAULT_EXPIRY_DAYS = 30


class InvalidCursor(ValueError):
    pass


def find_pending(session: Session, survey_id: int, person_id: int,
                 now: datetime | None = None) -> Invitation | None:
    """The person's pending invitation to the survey. Given ``now``, one past its expiry is
    marked ``expired`` instead (an in-app invitation the person never came back for), so it
    no longer blocks a new one."""
    invitation = session.scalars(
        select(Invitation).where(Invitation.survey_id == survey_id,
                                 Invitation.person_id == person_id,
                                 Invitation.status == "pending")
    ).first()
    if invitation is not None and now is not None and invitation.expires_at is not None \
            and invitation.expires_at <= now:
        invitation.status = "expired"
        session.flush()
        return None
    return invitation


def create_invitation(
    session: Session, survey: Survey, person: Person, *, channel: str, send_at: datetime,
    now: datetime, touchpoint: str | None = None, locale: str | None = None,
    properties: dict[str, Any] | None = None, value: float | None = None,
    expiry_days: int = DEFAULT_EXPIRY_DAYS,
) -> tuple[Invitation, bool]:
    """Return ``(invitation, created)``. While one is pending for this person and survey,
    that one is returned: the partial unique index settles a race between two callers."""
    existing = find_pending(session, survey.id, person.id, now)
    if existing is not None:
        return existing, False
    assert survey.current_version_id is not None
    invitation = Invitation(
        site_id=survey.site_id, survey_id=survey.id, survey_version_id=survey.current_version_id,
        person_id=person.id, channel=channel, touchpoint=touchpoint, status="pending",
        send_at=send_at, expires_at=send_at + timedelta(days=expiry_days), locale=locale,
        properties=dict(properties or {}), value=value, created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(invitation)
            session.flush()
    except IntegrityError:
        found = find_pending(session, survey.id, person.id)
        if found is None:
            raise
        return found, False
    return invitation, True


def schedule(session: Session, invitation: Invitation, now: datetime) -> None:
    jobs.enqueue(session, DUE_JOB, {"invitation_id": invitation.id}, now=now,
                 run_at=invitation.send_at, site_id=invitation.site_id)


def mark_sent(session: Session, invitation: Invitation, now: datetime) -> None:
    """The invitation reached the person (email sent, link handed out, widget shown)."""
    # The email sender may already have marked it sent; the contact is still ours to record.
    if invitation.status not in ("pending", "sent"):
        return
    invitation.status = "sent"
    invitation.sent_at = invitation.sent_at or now
    survey = session.get(Survey, invitation.survey_id)
    person = session.get(Person, invitation.person_id)
    assert survey is not None and person is not None
    record_contact(session, survey, person, "sent", now, channel=invitation.channel,
                   invitation_id=invitation.id)


def mark_answered(session: Session, invitation: Invitation, now: datetime) -> None:
    if invitation.status in ("pending", "sent"):
        invitation.status = "answered"
        invitation.answered_at = now


def cancel(invitation: Invitation, reason: str) -> bool:
    """Cancel a pending invitation; ``False`` when it is no longer pending."""
    if invitation.status != "pending":
        return False
    invitation.status = "cancelled"
    invitation.cancel_reason = reason
    return True


def record_answer(session: Session, response: Response, now: datetime, *,
                  survey: Any = None, person: Any = None, person_is_new: bool = False) -> None:
    """A response was stored: the contact history learns it, and the invitation it answers
    (named, or the person's open in-app one for this survey) is marked answered. Pass the
    ``survey`` and ``person`` at hand to spare their lookups."""
    if response.person_id is None:
        return
    person = person if person is not None else session.get(Person, response.person_id)
    survey = survey if survey is not None else session.get(Survey, response.survey_id)
    if person is None or survey is None:
        return
    record_contact(session, survey, person, "answered", now, channel=response.channel,
                   invitation_id=response.invitation_id)
    if person_is_new and response.invitation_id is None:
        return  # nobody invited someone who did not exist until now
    invitation = session.get(Invitation, response.invitation_id) if response.invitation_id \
        else session.scalars(
            select(Invitation).where(Invitation.survey_id == survey.id,
                                     Invitation.person_id == person.id,
                                     Invitation.channel == "in_app",
                                     Invitation.status.in_(("pending", "sent")))
            .order_by(Invitation.id.desc())
        ).first()
    if invitation is not None:
        mark_answered(session, invitation, now)


@jobs.handler(DUE_JOB)
def invitation_due(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Send time: check the rules again, then send, hand over, or cancel with the reason."""
    invitation = session.get(Invitation, payload["invitation_id"])
    if invitation is None or invitation.status != "pending" or invitation.send_at > now:
        return  # answered, cancelled, or moved later (a newer job exists)
    survey = session.get(Survey, invitation.survey_id)
    person = session.get(Person, invitation.person_id)
    site = session.get(Site, invitation.site_id)
    assert survey is not None and person is not None and site is not None
    decision = evaluate(session, site, survey, person, Who(properties=invitation.properties),
                        now=now, channel=invitation.channel, touchpoint=invitation.touchpoint,
                        delayed=True)
    if decision.wait_until is not None:
        # A ticket was reopened and solved again: wait the full delay after that resolution.
        invitation.send_at = decision.wait_until
        schedule(session, invitation, now)
        return
    if not decision.eligible:
        cancel(invitation, decision.reason)
        count_decision(session, survey, decision.reason, now)
        return
    if invitation.channel == "email":
        from collector.eligibility.invitation_emails import EmailNotSendable, send_invitation_email

        try:
            # False: no SMTP server configured; the owner fetches the email through
            # GET /v1/invitations/{id}/email and sends it, so it counts as sent now.
            send_invitation_email(session, invitation, now)
        except EmailNotSendable:
            cancel(invitation, "unsubscribed")
            count_decision(session, survey, "unsubscribed", now)
            return
        mark_sent(session, invitation, now)
    elif invitation.channel == "link":
        mark_sent(session, invitation, now)
    # in_app: stays pending and due; the widget shows it on the person's next page view.


def expire_invitations(session: Session, now: datetime) -> int:
    """Mark every pending invitation past its ``expires_at`` as ``expired``; returns how many.
    One bulk UPDATE on the pending rows only."""
    return rows_changed(session.execute(
        update(Invitation).where(Invitation.status == "pending", Invitation.expires_at <= now)
        .values(status="expired").execution_options(synchronize_session=False)
    ))


@jobs.handler(EXPIRE_JOB)
def invitations_expire(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """The hourly sweep; the worker keeps the next one queued (collector/delivery/periodic.py)."""
    expire_invitations(session, now)
    jobs.enqueue_once(session, EXPIRE_JOB, {}, now=now, run_at=now + EXPIRE_EVERY,
                      dedupe_key=EXPIRE_JOB, successor=True)


def encode_cursor(invitation_id: int) -> str:
    return base64.urlsafe_b64encode(f"i{invitation_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("i"):
            raise ValueError(cursor)
        return id_in_range(int(raw[1:]))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidCursor(cursor) from error


def list_invitations(session: Session, site_id: int, *, status: str | None = None,
                     survey_id: int | None = None, limit: int = 50,
                     cursor: str | None = None) -> tuple[list[Invitation], str | None]:
    """Newest first, by id (keyset paging on ``ix_invitations_site_id``)."""
    query = select(Invitation).where(Invitation.site_id == site_id)
    if status is not None:
        query = query.where(Invitation.status == status)
    if survey_id is not None:
        query = query.where(Invitation.survey_id == survey_id)
    if cursor:
        query = query.where(Invitation.id < decode_cursor(cursor))
    rows = list(session.scalars(query.order_by(Invitation.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    return page, encode_cursor(page[-1].id) if len(rows) > limit else None


def invitation_rows(session: Session, invitations: list[Invitation],
                    url: str | None = None) -> list[dict[str, Any]]:
    """Invitations with their survey keys and people, ready to dump (two queries)."""
    survey_ids = {i.survey_id for i in invitations}
    person_ids = {i.person_id for i in invitations}
    keys = {survey_id: key for survey_id, key in session.execute(
        select(Survey.id, Survey.key).where(Survey.id.in_(survey_ids)))} if survey_ids else {}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))
              } if person_ids else {}
    rows = []
    for invitation in invitations:
        person = people.get(invitation.person_id)
        rows.append({
            "id": invitation.id, "survey_key": keys.get(invitation.survey_id),
            "channel": invitation.channel, "touchpoint": invitation.touchpoint,
            "status": invitation.status, "send_at": invitation.send_at,
            "sent_at": invitation.sent_at, "expires_at": invitation.expires_at,
            "answered_at": invitation.answered_at, "cancel_reason": invitation.cancel_reason,
            "user_id": person.shown_user_id if person else None,
            "email": person.shown_email if person else None, "url": url,
            "created_at": invitation.created_at,
        })
    return rows


periodic(EXPIRE_JOB, every(EXPIRE_JOB, EXPIRE_EVERY))
