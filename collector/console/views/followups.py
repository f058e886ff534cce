"""The follow-up inbox: cases per team, with their SLA due; assign, note, change status.

A key created with a ``team`` sees and changes only that team's cases, as in the API.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from collector.console.views import actor, bp, viewer
from collector.core.clock import now
from collector.core.extensions import db
from collector.followups.cases import (
    STATUSES,
    InvalidTransition,
    add_note,
    assign,
    list_cases,
    rules_of,
    set_status,
)
from collector.models import FollowupCase, Response

PAGE_SIZE = 50
NOTE_LIMIT = 2000


def _team_filter() -> str | None:
    team = g.console_key.team
    return team or (request.args.get("team") or None)


def _case_or_404(case_id: int) -> FollowupCase:
    case = db.session.get(FollowupCase, case_id)
    key = g.console_key
    if case is None or case.site_id != key.site_id or (key.team and case.team != key.team):
        abort(404)
    return case


@bp.get("/followups")
@viewer
def followups() -> ResponseReturnValue:
    """Cases newest first; open ones by default, per team, status, owner or overdue."""
    site_id = g.console_key.site_id
    status = request.args.get("status") or None
    status = status if status in (*STATUSES, "all") else None
    after = request.args.get("after", type=int)
    moment = now()
    rows = list_cases(db.session, site_id, status=None if status in (None, "all") else status,
                      owner=request.args.get("owner") or None, team=_team_filter(),
                      overdue_at=moment if request.args.get("overdue") else None,
                      limit=PAGE_SIZE + 1, after_id=after, still_open=status is None)
    cases = rows[:PAGE_SIZE]
    comments = dict(db.session.execute(select(Response.id, Response.comment).where(
        Response.id.in_([case.response_id for case in cases]))).all()) if cases else {}
    rules = rules_of(g.console_site)
    used = db.session.scalars(select(FollowupCase.team).where(
        FollowupCase.site_id == site_id, FollowupCase.team.is_not(None)).distinct())
    teams = sorted({str(t) for t in (rules.get("teams") or {})} | {t for t in used if t})
    return render_template(
        "console/followups.html", cases=cases, comments=comments, now=moment, teams=teams,
        statuses=STATUSES, status=status, team=_team_filter(), fixed_team=g.console_key.team,
        owner=request.args.get("owner") or "", overdue=bool(request.args.get("overdue")),
        next_after=cases[-1].id if len(rows) > PAGE_SIZE else None)


@bp.get("/followups/<int:case_id>")
@viewer
def case(case_id: int) -> ResponseReturnValue:
    """One case: the answer, who owns it, when it is due, its timeline, and the actions."""
    found = _case_or_404(case_id)
    answer = db.session.get(Response, found.response_id)
    rules = rules_of(g.console_site)
    owners = sorted({*(rules.get("owners") or []),
                     *(o for members in (rules.get("teams") or {}).values() for o in members)})
    return render_template("console/case.html", case=found, answer=answer, now=now(),
                           statuses=STATUSES, owners=owners, fixed_team=g.console_key.team)


@bp.post("/followups/<int:case_id>/assign")
@viewer
def assign_case(case_id: int) -> ResponseReturnValue:
    """Give the case an owner and/or a team."""
    found = _case_or_404(case_id)
    owner = (request.form.get("owner") or "").strip()[:200] or None
    team = (request.form.get("team") or "").strip()[:100] or None
    if g.console_key.team:
        team = None  # a team key cannot move a case out of its team
    assign(db.session, found, owner=owner, team=team, actor=actor(), now=now())
    db.session.commit()
    flash(f"Case {found.id} is assigned to {found.owner or 'nobody'}"
          f"{' in team ' + found.team if found.team else ''}.")
    return redirect(url_for("console.case", case_id=found.id), code=303)


@bp.post("/followups/<int:case_id>/status")
@viewer
def case_status(case_id: int) -> ResponseReturnValue:
    """Move the case forward: open, contacted, resolved, won back."""
    found = _case_or_404(case_id)
    try:
        set_status(db.session, found, request.form.get("status") or "", actor=actor(),
                   now=now())
    except InvalidTransition as error:
        db.session.rollback()
        return render_template("console/case.html", case=found, now=now(), error=str(error),
                               answer=db.session.get(Response, found.response_id),
                               statuses=STATUSES, owners=[],
                               fixed_team=g.console_key.team), 409
    db.session.commit()
    flash(f"Case {found.id} is now {found.status}.")
    return redirect(url_for("console.case", case_id=found.id), code=303)


@bp.post("/followups/<int:case_id>/notes")
@viewer
def case_note(case_id: int) -> ResponseReturnValue:
    """Add a note to the case's timeline."""
    found = _case_or_404(case_id)
    text = (request.form.get("text") or "").strip()
    if not text or len(text) > NOTE_LIMIT:
        flash(f"A note is 1 to {NOTE_LIMIT} characters; nothing was added.")
        return redirect(url_for("console.case", case_id=found.id), code=303)
    add_note(db.session, found, text, actor=actor(), now=now())
    db.session.commit()
    flash("Note added.")
    return redirect(url_for("console.case", case_id=found.id), code=303)
