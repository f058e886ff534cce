"""People: create or update, unsubscribe, erase everywhere, export everything stored."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from collector.access.auth import WRITE, require_key
from collector.core.audit import record_audit
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.models import Person
from collector.people.lookup import find_person, upsert_person
from collector.people.privacy import erase_person, export_person, unsubscribe_person
from collector.people.schemas import (
    ErasureSchema,
    PersonExportSchema,
    PersonRefArgsSchema,
    PersonSchema,
    PersonUpsertSchema,
)

blp = Blueprint("people", __name__, url_prefix="/v1/people",
                description="The people a site surveys, and their data rights.")


def _person_or_404(user_id: str | None = None, email: str | None = None) -> Person:
    person = find_person(db.session, g.key.site_id, user_id=user_id, email=email)
    if person is None:
        raise APIError(404, "person_not_found", "No such person on this site.",
                       field="user_id" if user_id else "email")
    return person


@blp.route("")
class People(MethodView):
    @require_key(*WRITE)
    @write_endpoint("people.upsert")
    @blp.arguments(PersonUpsertSchema)
    @blp.response(200, PersonSchema)
    def post(self, data: dict[str, Any]) -> Person:
        """Create a person or update the fields given; an erased person stays erased."""
        moment = now()
        person = upsert_person(db.session, g.key.site_id, moment, **data)
        assert person is not None  # the schema requires user_id or email
        db.session.flush()
        record_audit(db.session, site_id=g.key.site_id, actor=g.key.actor,
                     action="person.upserted", entity_type="person", entity_id=str(person.id),
                     changes={"fields": sorted(data)}, at=moment)
        return person


@blp.route("/unsubscribe")
class Unsubscribe(MethodView):
    @require_key(*WRITE)
    @write_endpoint("people.unsubscribe")
    @blp.arguments(PersonRefArgsSchema)
    @blp.response(200, PersonSchema)
    def post(self, data: dict[str, Any]) -> Person:
        """Stop email surveys for a person (by user_id or email)."""
        person = _person_or_404(data.get("user_id"), data.get("email"))
        return unsubscribe_person(db.session, person, actor=g.key.actor, now=now())


@blp.route("/<user_id>")
class PersonById(MethodView):
    @require_key(*WRITE)
    @write_endpoint("people.erase")
    @blp.response(200, ErasureSchema)
    def delete(self, user_id: str) -> dict[str, Any]:
        """Erase a person everywhere: personal data removed, pending invitations cancelled.

        The person's row stays without personal data so they are never contacted again;
        their scores stay in the aggregates, anonymous. Audited.
        """
        person = _person_or_404(user_id)
        erasure = erase_person(db.session, person, actor=g.key.actor, now=now())
        return {"person": person, "erased": erasure.as_dict()}


@blp.route("/<user_id>/export")
class PersonExport(MethodView):
    @require_key(*WRITE)
    @write_endpoint("people.export")
    @blp.response(200, PersonExportSchema)
    def get(self, user_id: str) -> dict[str, Any]:
        """Everything stored about a person, table by table (a data-access request). Audited."""
        return export_person(db.session, _person_or_404(user_id), actor=g.key.actor, now=now())
