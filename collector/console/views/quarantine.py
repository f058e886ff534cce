"""The quarantine review: answers held back as suspicious, their reasons, and release."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from collector.console.views import actor, bp, viewer
from collector.core.clock import now
from collector.core.extensions import db
from collector.models import AuditEntry, Response, Survey
from collector.responses.quarantine import (
    NotQuarantined,
    quarantined,
    reason_counts,
    release,
)

PAGE_SIZE = 50


@bp.get("/quarantine")
@viewer
def quarantine() -> ResponseReturnValue:
    """Held-back answers newest first, the count per reason, and recent releases."""
    site_id = g.console_key.site_id
    rows = quarantined(db.session, site_id, limit=PAGE_SIZE + 1,
                       before_id=request.args.get("before", type=int))
    surveys = dict(db.session.execute(select(Survey.id, Survey.key)
                                      .where(Survey.site_id == site_id)).all())
    released = list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.site_id == site_id,
                                 AuditEntry.action == "response.release")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(10)))
    total, reasons = reason_counts(db.session, site_id)
    return render_template(
        "console/quarantine.html", rows=rows[:PAGE_SIZE], surveys=surveys,
        reasons=reasons, total=total,
        released=released, next_before=rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None)


@bp.post("/quarantine/<int:response_id>/release")
@viewer
def release_answer(response_id: int) -> ResponseReturnValue:
    """Count a held-back answer from now on; the audit trail records who and why."""
    response = db.session.scalars(select(Response).where(
        Response.id == response_id, Response.site_id == g.console_key.site_id)).first()
    if response is None:
        abort(404)
    try:
        release(db.session, response, actor=actor(), now=now())
    except NotQuarantined as error:
        flash(str(error))
        return redirect(url_for("console.quarantine"), code=303)
    db.session.commit()
    flash(f"Answer {response.id} is released and counts from now on.")
    return redirect(url_for("console.quarantine"), code=303)
