"""Overdue follow-up cases: told once (``followup.overdue``) when a case passes its due time
while still open or contacted, so a team's Slack or Teams channel hears about it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.delivery.events import emit
from collector.delivery.jobs import handler
from collector.delivery.periodic import every, periodic
from collector.followups.cases import CLOSED, case_view
from collector.models import FollowupCase, OnceMark

KIND = "followups.overdue"
EVERY = timedelta(minutes=15)
# Cases overdue for longer than this when the sweep first sees them (a worker down for a
# month, a site that just turned alerts on) are not announced one by one.
LOOK_BACK = timedelta(days=7)
BATCH = 500


def mark_key(case_id: int) -> str:
    return f"followup.overdue:{case_id}"


def announce_overdue(session: Session, now: datetime, *, batch: int = BATCH) -> int:
    """Emit ``followup.overdue`` for each case that became overdue and was not told yet;
    returns how many. Each case is told once (a once mark), whatever the number of sweeps."""
    cases = list(session.scalars(
        select(FollowupCase).where(FollowupCase.status.not_in(CLOSED),
                                   FollowupCase.due_at < now,
                                   FollowupCase.due_at >= now - LOOK_BACK)
        .order_by(FollowupCase.due_at, FollowupCase.id).limit(batch)))
    if not cases:
        return 0
    told = set(session.scalars(select(OnceMark.key).where(
        OnceMark.key.in_([mark_key(case.id) for case in cases]))))
    count = 0
    for case in cases:
        if mark_key(case.id) in told:
            continue
        emit(session, site_id=case.site_id, type="followup.overdue", data=case_view(case),
             now=now)
        session.add(OnceMark(key=mark_key(case.id), created_at=now))
        count += 1
    return count


@handler(KIND)
def run_overdue_sweep(session: Session, payload: dict[str, Any], now: datetime) -> None:
    announce_overdue(session, now)


periodic(KIND, every(KIND, EVERY))
