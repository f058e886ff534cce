"""Follow-up cases: who calls the unhappy customer back, by when, and did it work.

Rules live in ``Site.settings["followup"]`` (all keys optional; docs/followups.md)::

    {"enabled": true, "include_passives": false, "sla_hours": 48,
     "owners": ["ana@example.com", "bo@example.com"],
     "teams": {"billing": ["cy@example.com"]},
     "rules": [{"touchpoint": "checkout", "team": "billing"},
               {"team_property": "support", "team": "support", "owner": "di@example.com"}]}

The first rule whose ``touchpoint`` (and ``survey``, when given) matches the response, or whose
``team_property`` equals the response's ``properties.team``, gives the team and maybe the owner.
Without an owner, cases go round robin among the team's owners, else among ``owners``. A response
whose ``properties.team`` matches no rule keeps that team.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.core.audit import record_audit
from collector.delivery.events import emit
from collector.models import FollowupCase, Person, Response, Site, Survey

STATUSES = ("open", "contacted", "resolved", "won_back")
CLOSED = ("resolved", "won_back")
ORDER = {"open": 0, "contacted": 1, "resolved": 2, "won_back": 2}
DEFAULT_SLA_HOURS = 48.0
SYSTEM = "system"


class InvalidTransition(ValueError):
    pass


def rules_of(site: Site) -> dict[str, Any]:
    return dict((site.settings or {}).get("followup") or {})


def _matches(rule: dict[str, Any], response: Response, survey_key: str | None) -> bool:
    if "survey" in rule and rule["survey"] != survey_key:
        return False
    if "touchpoint" in rule:
        return bool(response.touchpoint) and rule["touchpoint"] == response.touchpoint
    if "team_property" in rule:
        return (response.properties or {}).get("team") == rule["team_property"]
    return "survey" in rule


def team_of(rules: dict[str, Any], response: Response, survey_key: str | None = None
            ) -> tuple[str | None, str | None]:
    """(team, fixed owner) for a response, by the first matching rule."""
    for rule in rules.get("rules") or []:
        if _matches(rule, response, survey_key):
            return rule.get("team"), rule.get("owner")
    team = (response.properties or {}).get("team")
    return (str(team) if team else None), None


def _round_robin(session: Session, site_id: int, team: str | None, pool: list[str]
                 ) -> str | None:
    if not pool:
        return None
    query = select(func.count()).select_from(FollowupCase).where(FollowupCase.site_id == site_id)
    query = query.where(FollowupCase.team == team) if team else query
    return pool[(session.scalar(query) or 0) % len(pool)]


def case_view(case: FollowupCase) -> dict[str, Any]:
    return {"id": case.id, "response_id": case.response_id, "score": case.score,
            "touchpoint": case.touchpoint, "team": case.team, "owner": case.owner,
            "status": case.status, "due_at": case.due_at.isoformat(),
            "created_at": case.created_at.isoformat()}


def _log(case: FollowupCase, at: datetime, actor: str, kind: str, **details: Any) -> None:
    # A new list, so the JSON column sees the change.
    case.timeline = [*case.timeline, {"at": at.isoformat(), "actor": actor, "kind": kind,
                                      **details}]
    case.updated_at = at


def _changed(session: Session, case: FollowupCase, actor: str, action: str,
             changes: dict[str, Any], now: datetime) -> None:
    record_audit(session, site_id=case.site_id, actor=actor, action=action,
                 entity_type="followup_case", entity_id=str(case.id), changes=changes, at=now)
    emit(session, site_id=case.site_id, type="followup.updated",
         data={**case_view(case), "change": action}, now=now)


def response_data(response: Response, survey_key: str, person: Person | None
                  ) -> dict[str, Any]:
    """The ``data`` of ``response.*`` events."""
    who = None if person is None or person.erased_at else {
        "user_id": person.external_id, "email": person.email, "name": person.name}
    return {"id": response.id, "survey": survey_key, "score": response.score,
            "category": response.category, "comment": response.comment,
            "answers": response.answers, "touchpoint": response.touchpoint,
            "channel": response.channel, "locale": response.locale,
            "properties": response.properties, "verdict": response.verdict, "person": who,
            "created_at": response.created_at.isoformat()}


def after_response(session: Session, survey: Any, person: Any, response: Response,
                   now: datetime, *, site: Any = None, person_is_new: bool = False) -> None:
    """Tell the world (events) and the team (a follow-up case) about a new answer.

    Imported history (channel ``import``) is neither news nor a case to follow up. ``site``
    (a model or snapshot) spares its look-up; someone new has no earlier case to win back."""
    if response.channel == "import":
        return
    data = response_data(response, survey.key, person)
    emit(session, site_id=response.site_id, type="response.created", data=data, now=now)
    if response.verdict == "quarantined":
        return
    if response.score <= 6:
        emit(session, site_id=response.site_id, type="response.detractor", data=data, now=now)
    site = site if site is not None else session.get(Site, response.site_id)
    assert site is not None
    on_response(session, site, response, survey.key, now, win_back=not person_is_new)


def after_release(session: Session, response: Response, now: datetime) -> None:
    """An admin released a quarantined answer: do now what accepting it would have done.

    Its ``response.created`` already went out (with verdict ``quarantined``); receivers hear
    ``response.updated`` with verdict ``released``, then ``response.detractor`` for a score of
    0 to 6, and a case opens as for a new answer (due by the SLA from now: nobody could act
    on it before). When the same person has answered since, their later answers have already
    settled their earlier cases, so nothing is won back here; if the next one scored higher,
    the new case is won back at once, as it would have been then."""
    if response.channel == "import":
        return
    survey = session.get(Survey, response.survey_id)
    site = session.get(Site, response.site_id)
    assert survey is not None and site is not None
    person = session.get(Person, response.person_id) if response.person_id else None
    data = response_data(response, survey.key, person)
    emit(session, site_id=response.site_id, type="response.updated", data=data, now=now)
    if response.score <= 6:
        emit(session, site_id=response.site_id, type="response.detractor", data=data, now=now)
    # The person's next counted answer is the one that would have judged this case.
    following = None if response.person_id is None else session.scalars(
        select(Response).where(Response.person_id == response.person_id,
                               Response.id != response.id,
                               Response.verdict.in_(("accepted", "released")),
                               Response.created_at > response.created_at)
        .order_by(Response.created_at, Response.id).limit(1)).first()
    case = on_response(session, site, response, survey.key, now, win_back=following is None)
    if case is not None and following is not None:
        _win_back(session, following, now)


def on_response(session: Session, site: Site, response: Response, survey_key: str | None,
                now: datetime, *, win_back: bool = True) -> FollowupCase | None:
    """Called for each new response: wins back earlier cases, opens a new one when due."""
    rules = rules_of(site)
    if response.verdict == "quarantined" or not rules.get("enabled", True):
        return None
    if response.person_id is not None and win_back:
        _win_back(session, response, now)
    wanted = ("detractor", "passive") if rules.get("include_passives") else ("detractor",)
    if response.category not in wanted:
        return None
    team, owner = team_of(rules, response, survey_key)
    if owner is None:
        pool = (rules.get("teams") or {}).get(team) if team else None
        owner = _round_robin(session, site.id, team if pool else None,
                             list(pool or rules.get("owners") or []))
    sla = timedelta(hours=float(rules.get("sla_hours", DEFAULT_SLA_HOURS)))
    case = FollowupCase(site_id=site.id, response_id=response.id, person_id=response.person_id,
                        survey_id=response.survey_id, score=response.score,
                        touchpoint=response.touchpoint, team=team, owner=owner, status="open",
                        due_at=now + sla, timeline=[], created_at=now, updated_at=now)
    _log(case, now, SYSTEM, "created", owner=owner, team=team)
    session.add(case)
    session.flush()
    record_audit(session, site_id=site.id, actor=SYSTEM, action="followup.created",
                 entity_type="followup_case", entity_id=str(case.id),
                 changes={"owner": owner, "team": team, "due_at": case.due_at.isoformat()},
                 at=now)
    emit(session, site_id=site.id, type="followup.created", data=case_view(case), now=now)
    return case


def _win_back(session: Session, response: Response, now: datetime) -> None:
    earlier = session.scalars(
        select(FollowupCase).where(FollowupCase.site_id == response.site_id,
                                   FollowupCase.person_id == response.person_id,
                                   FollowupCase.response_id != response.id)
        .order_by(FollowupCase.created_at.desc(), FollowupCase.id.desc()).limit(1)
    ).first()
    if earlier is None or earlier.status == "won_back" or response.score <= earlier.score:
        return
    before = earlier.status
    earlier.status = "won_back"
    earlier.closed_at = earlier.closed_at or now
    _log(earlier, now, SYSTEM, "won_back", response_id=response.id, score=response.score)
    _changed(session, earlier, SYSTEM, "followup.won_back",
             {"status": [before, "won_back"], "response_id": response.id}, now)


def assign(session: Session, case: FollowupCase, *, owner: str | None, team: str | None,
           actor: str, now: datetime) -> FollowupCase:
    changes: dict[str, Any] = {}
    if owner is not None and owner != case.owner:
        changes["owner"] = [case.owner, owner]
        case.owner = owner
    if team is not None and team != case.team:
        changes["team"] = [case.team, team]
        case.team = team
    if changes:
        _log(case, now, actor, "assigned", **{k: v[1] for k, v in changes.items()})
        _changed(session, case, actor, "followup.assigned", changes, now)
    return case


def set_status(session: Session, case: FollowupCase, status: str, *, actor: str,
               now: datetime) -> FollowupCase:
    """Move forward only: open → contacted → resolved (won_back closes from anywhere)."""
    if status not in STATUSES:
        raise InvalidTransition(f"Unknown status {status!r}.")
    if status == case.status:
        return case
    if case.status in CLOSED or ORDER[status] < ORDER[case.status]:
        raise InvalidTransition(f"A case cannot go from {case.status} to {status}.")
    before = case.status
    case.status = status
    if case.contacted_at is None and status != "open":
        case.contacted_at = now
    if status in CLOSED:
        case.closed_at = now
    _log(case, now, actor, "status", status=status)
    _changed(session, case, actor, "followup.status", {"status": [before, status]}, now)
    return case


def add_note(session: Session, case: FollowupCase, text: str, *, actor: str,
             now: datetime) -> FollowupCase:
    _log(case, now, actor, "note", text=text)
    _changed(session, case, actor, "followup.note", {"note": text}, now)
    return case


def list_cases(session: Session, site_id: int, *, status: str | None = None,
               owner: str | None = None, team: str | None = None, overdue_at: datetime | None
               = None, limit: int = 50, after_id: int | None = None,
               still_open: bool = False) -> list[FollowupCase]:
    """Newest first; ``still_open`` keeps the cases not closed yet (the console's inbox)."""
    query = select(FollowupCase).where(FollowupCase.site_id == site_id)
    if status:
        query = query.where(FollowupCase.status == status)
    if still_open:
        query = query.where(FollowupCase.status.not_in(CLOSED))
    if owner:
        query = query.where(FollowupCase.owner == owner)
    if team:
        query = query.where(FollowupCase.team == team)
    if overdue_at is not None:
        query = query.where(FollowupCase.status.not_in(CLOSED), FollowupCase.due_at < overdue_at)
    if after_id is not None:
        query = query.where(FollowupCase.id < after_id)
    return list(session.scalars(query.order_by(FollowupCase.id.desc()).limit(limit)))


@dataclass(frozen=True)
class FollowupStats:
    cases: int
    open: int
    overdue: int
    median_hours_to_first_contact: float | None
    median_hours_to_resolution: float | None
    closed_within_sla: float | None


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def followup_stats(session: Session, site_id: int, now: datetime, *, team: str | None = None,
                   since: datetime | None = None, until: datetime | None = None
                   ) -> FollowupStats:
    """Medians over cases that reached the step; SLA share over cases that closed or are late."""
    query = select(FollowupCase).where(FollowupCase.site_id == site_id)
    if team:
        query = query.where(FollowupCase.team == team)
    if since:
        query = query.where(FollowupCase.created_at >= since)
    if until:
        query = query.where(FollowupCase.created_at < until)
    cases = list(session.scalars(query))
    contact = [_hours(c.contacted_at - c.created_at) for c in cases if c.contacted_at]
    closed = [c for c in cases if c.closed_at is not None]
    late_open = [c for c in cases if c.closed_at is None and c.due_at < now]
    judged = len(closed) + len(late_open)
    in_time = sum(1 for c in closed if c.closed_at is not None and c.closed_at <= c.due_at)
    return FollowupStats(
        cases=len(cases), open=sum(1 for c in cases if c.closed_at is None),
        overdue=len(late_open),
        median_hours_to_first_contact=statistics.median(contact) if contact else None,
        median_hours_to_resolution=(statistics.median(
            [_hours(c.closed_at - c.created_at) for c in closed])  # type: ignore[operator]
            if closed else None),
        closed_within_sla=in_time / judged if judged else None,
    )
