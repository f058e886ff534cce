"""One help-desk delivery, from the vendor's bytes to a ticket event and maybe a survey.

Check the signature (or secret), refuse replays, read the payload, then apply it through the
same code as ``POST /v1/tickets`` (``collector.eligibility.tickets``: idempotent, only a newer
event time wins). A ticket that becomes solved or closed triggers the integration's survey
at the ``support_resolution`` touchpoint, so the rules hold it back until the resolution delay
has passed and the send-time re-check cancels it if the ticket reopened (``open_ticket``).

Every delivery is logged, accepted or refused. A refused one writes nothing else: the payload
is read completely before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from collector.core.survey_lookup import find_survey, list_surveys
from collector.eligibility.facts import RESOLVED_STATUSES, Who
from collector.eligibility.rules import SUPPORT_RESOLUTION
from collector.eligibility.tickets import record_ticket_event
from collector.eligibility.triggers import EmailRequired, TriggerRequest, trigger
from collector.integrations import freshdesk, intercom, zendesk
from collector.integrations.registry import valid_secrets
from collector.integrations.ticket_events import Delivery, Ignored, Refused, TicketEvent
from collector.models import HelpdeskIntegration, IntegrationDelivery, Site, Survey
from collector.people.lookup import upsert_person


@dataclass(frozen=True)
class Receipt:
    delivery: IntegrationDelivery
    refusal: Refused | None = None
    applied: bool = False


def _verify(integration: HelpdeskIntegration, delivery: Delivery, now: datetime) -> str | None:
    """Authenticate; returns the key that must not have been accepted before, if any."""
    accepted = valid_secrets(integration, now)
    if integration.vendor == "zendesk":
        return zendesk.verify(delivery, accepted, now)
    if integration.vendor == "freshdesk":
        freshdesk.verify(delivery, accepted)
        return None
    intercom.verify(delivery, accepted)
    return intercom.notification_id(delivery)


def _parse(integration: HelpdeskIntegration, delivery: Delivery) -> TicketEvent | Ignored:
    if integration.vendor == "zendesk":
        return zendesk.parse(delivery)
    if integration.vendor == "freshdesk":
        return freshdesk.parse(delivery)
    return intercom.parse(delivery)


def _seen(session: Session, integration_id: int, replay_key: str) -> bool:
    return session.scalar(select(IntegrationDelivery.id).where(
        IntegrationDelivery.integration_id == integration_id,
        IntegrationDelivery.replay_key == replay_key)) is not None


def _log(session: Session, integration: HelpdeskIntegration, now: datetime, **fields: Any
         ) -> IntegrationDelivery:
    row = IntegrationDelivery(site_id=integration.site_id, integration_id=integration.id,
                              received_at=now, **fields)
    session.add(row)
    return row


def _refuse(session: Session, integration: HelpdeskIntegration, refusal: Refused,
            now: datetime) -> Receipt:
    row = _log(session, integration, now, outcome="refused", code=refusal.code,
               status_code=refusal.status, message=refusal.message,
               vendor_event=refusal.vendor_event)
    session.flush()
    return Receipt(row, refusal)


def resolution_survey(session: Session, integration: HelpdeskIntegration) -> Survey | None:
    """The integration's survey; without one, the site's ``support_resolution`` survey: the
    one with that key, else the first whose touchpoint is ``support_resolution``."""
    found = find_survey(session, integration.site_id,
                        integration.survey_key or SUPPORT_RESOLUTION)
    if found is not None or integration.survey_key:
        return found
    for survey in list_surveys(session, integration.site_id):
        version = survey.current_version
        if version is not None and version.config.get("touchpoint") == SUPPORT_RESOLUTION:
            return survey
    return None


def _schedule_survey(session: Session, integration: HelpdeskIntegration, event: TicketEvent,
                     now: datetime, secret: str) -> tuple[int | None, str]:
    """Ask for the resolution survey; returns (invitation id, what happened)."""
    survey = resolution_survey(session, integration)
    if survey is None or survey.current_version is None:
        return None, "no support_resolution survey on this site"
    site = session.get(Site, integration.site_id)
    assert site is not None
    request = TriggerRequest(who=Who(user_id=event.user_id, email=event.email),
                             channel=integration.channel, touchpoint=SUPPORT_RESOLUTION)
    try:
        answer = trigger(session, site, survey, request, now, secret=secret)
    except EmailRequired:
        return None, f"survey {survey.key}: not sent, the requester has no email address"
    if answer.invitation is None:
        return None, f"survey {survey.key}: {answer.reason}"
    return answer.invitation.id, (f"survey {survey.key}: invitation {answer.invitation.id} "
                                  f"due {answer.invitation.send_at.isoformat()}")


def receive(session: Session, integration: HelpdeskIntegration, delivery: Delivery,
            now: datetime, *, secret: str) -> Receipt:
    """Handle one delivery. The caller commits, whatever the outcome (the log must stay).
    ``secret`` is the instance's, from which a scheduled invitation's link is derived."""
    try:
        replay_key = _verify(integration, delivery, now)
        if replay_key is not None and _seen(session, integration.id, replay_key):
            if integration.vendor == "zendesk":
                raise Refused(401, "replayed", "This signed request was accepted before.",
                              field="X-Zendesk-Webhook-Signature")
            row = _log(session, integration, now, outcome="accepted", code="duplicate",
                       status_code=200, message="notification accepted before")
            session.flush()
            return Receipt(row)
        parsed = _parse(integration, delivery)
    except Refused as refusal:
        return _refuse(session, integration, refusal, now)
    if isinstance(parsed, Ignored):
        row = _log(session, integration, now, outcome="accepted", code="ignored",
                   status_code=200, vendor_event=parsed.vendor_event, replay_key=replay_key)
        session.flush()
        return Receipt(row)
    row = _log(session, integration, now, outcome="accepted", code="unchanged",
               status_code=200, vendor_event=parsed.vendor_event[:100],
               ticket_id=parsed.ticket_id, ticket_status=parsed.status,
               event_at=parsed.at or now, replay_key=replay_key)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # The same signed request, twice at once: the other one was accepted.
        if row in session:
            session.expunge(row)
        return _refuse(session, integration, Refused(
            401, "replayed", "This signed request was accepted before."), now)
    person = upsert_person(session, integration.site_id, now, user_id=parsed.user_id,
                           email=parsed.email)
    assert person is not None  # the payload named a requester (events.requester)
    if person.erased_at is not None:
        row.message = "the requester was erased: nothing is stored about them"
        return Receipt(row)
    at = parsed.at or now
    outcome = record_ticket_event(session, integration.site_id, person, parsed.ticket_id,
                                  parsed.status, at, now)
    if not outcome.applied:
        row.message = "an event as new or newer is stored already"
        return Receipt(row)
    row.code = "applied"
    session.flush()
    ticket = outcome.ticket
    if ticket.status in RESOLVED_STATUSES and ticket.resolved_at == at:
        row.invitation_id, row.message = _schedule_survey(session, integration, parsed, now,
                                                                    secret)
    return Receipt(row, applied=True)
