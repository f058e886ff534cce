"""Durable jobs: see what is queued or dead, and replay dead jobs (admin)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from sqlalchemy import select

from collector.access.auth import ADMIN, WRITE, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.delivery.schemas import JobListArgsSchema, JobPageSchema, JobSchema
from collector.delivery.worker import replay_job
from collector.models import Job

blp = Blueprint("jobs", __name__, url_prefix="/v1/jobs",
                description="Background jobs: emails, webhooks, invitations, purges.")


@blp.route("")
class Jobs(MethodView):
    @require_key(*WRITE)
    @blp.arguments(JobListArgsSchema, location="query")
    @blp.response(200, JobPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the site's jobs, newest first; ``status=dead`` shows the ones that gave up."""
        query = select(Job).where(Job.site_id == g.key.site_id)
        if "status" in args:
            query = query.where(Job.status == args["status"])
        if "kind" in args:
            query = query.where(Job.kind == args["kind"])
        if args.get("cursor"):
            if not args["cursor"].isdigit():
                raise APIError(422, "invalid_cursor", "This cursor was not issued by this API.",
                               field="cursor")
            query = query.where(Job.id < int(args["cursor"]))
        rows = list(db.session.scalars(query.order_by(Job.id.desc()).limit(args["limit"] + 1)))
        page, more = rows[:args["limit"]], len(rows) > args["limit"]
        return {"data": page, "has_more": more,
                "next_cursor": str(page[-1].id) if more else None}


@blp.route("/<int:job_id>/replay")
class JobReplay(MethodView):
    @require_key(*ADMIN)
    @write_endpoint("jobs.replay")
    @blp.response(200, JobSchema)
    def post(self, job_id: int) -> Job:
        """Queue a dead job again, with a fresh set of attempts."""
        job = db.session.get(Job, job_id)
        if job is None or job.site_id != g.key.site_id:
            raise APIError(404, "job_not_found", f"No job {job_id} on this site.")
        if job.status != "dead":
            raise APIError(409, "job_not_dead", f"Job {job_id} is {job.status}; only dead jobs "
                                                "can be replayed.")
        return replay_job(db.session, job, now())
