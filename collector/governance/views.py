"""The append-only audit trail: who changed what, when."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from collector.access.auth import READ, require_key
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.parsing import Blueprint
from collector.governance.audit_trail import InvalidAuditCursor, list_audit
from collector.governance.schemas import AuditArgsSchema, AuditPageSchema

blp = Blueprint("audit", __name__, url_prefix="/v1/audit",
                description="Every change to surveys, keys, settings, people and overrides.")


@blp.route("")
class Audit(MethodView):
    @require_key(*READ)
    @blp.arguments(AuditArgsSchema, location="query")
    @blp.response(200, AuditPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The audit trail, newest first; filter by ``entity`` (``survey`` or ``survey:12``),
        ``action`` and time; follow ``next_cursor``."""
        entity_type, _, entity_id = (args.get("entity") or "").partition(":")
        try:
            page, next_cursor = list_audit(
                db.session, g.key.site_id, entity_type=entity_type or None,
                entity_id=entity_id or None, action=args.get("action"),
                since=args.get("since"), until=args.get("until"), limit=args["limit"],
                cursor=args.get("cursor"))
        except InvalidAuditCursor as error:
            raise APIError(422, "invalid_cursor", "This cursor was not issued by this API.",
                           field="cursor") from error
        return {"data": page, "has_more": next_cursor is not None, "next_cursor": next_cursor}
