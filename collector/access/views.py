"""API keys: create, list, revoke, rotate. Admin keys only; every change is audited.

A raw key is returned once, when created; only its SHA-256 is stored (collector/access/keys.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import marshmallow as ma
from flask import current_app, g
from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy import select

from collector.access.auth import ADMIN, require_key
from collector.access.keys import ROLES, create_key, revoke_key, rotate_key
from collector.core.audit import record_audit
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.models import ApiKey

blp = Blueprint("keys", __name__, url_prefix="/v1/keys",
                description="API keys of the site (admin keys only).")


class KeyCreateSchema(ma.Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    name = fields.String(load_default="", validate=validate.Length(max=200))
    team = fields.String(validate=validate.Length(min=1, max=100))


class KeyRotateSchema(ma.Schema):
    overlap_seconds = fields.Integer(validate=validate.Range(min=0, max=90 * 86400))


class KeySchema(ma.Schema):
    id = fields.Integer()
    role = fields.String()
    prefix = fields.String(metadata={"description": "First characters, to recognise the key"})
    name = fields.String()
    team = fields.String(allow_none=True)
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)


class NewKeySchema(KeySchema):
    key = fields.String(metadata={"description": "The raw key, shown this once only"})


class KeyListSchema(ma.Schema):
    data = fields.List(fields.Nested(KeySchema))


def _key_or_404(key_id: str) -> ApiKey:
    key = db.session.scalars(
        select(ApiKey).where(ApiKey.id == int(key_id), ApiKey.site_id == g.key.site_id)
    ).first() if key_id.isascii() and key_id.isdigit() and len(key_id) < 19 else None
    if key is None:
        raise APIError(404, "key_not_found", "No such key on this site.", field="key_id")
    return key


def _dump_new(key: ApiKey, raw: str) -> dict[str, Any]:
    fields_ = ("id", "role", "prefix", "name", "team", "created_at", "revoked_at", "expires_at")
    return {**{name: getattr(key, name) for name in fields_}, "key": raw}


def _audit(action: str, key: ApiKey, changes: dict[str, Any]) -> None:
    record_audit(db.session, site_id=key.site_id, actor=g.key.actor, action=action,
                 entity_type="api_key", entity_id=str(key.id), changes=changes, at=now())


@blp.route("")
class Keys(MethodView):
    @require_key(*ADMIN)
    @blp.response(200, KeyListSchema)
    def get(self) -> dict[str, Any]:
        """List the site's keys (never their values), newest first."""
        keys = db.session.scalars(select(ApiKey).where(ApiKey.site_id == g.key.site_id)
                                  .order_by(ApiKey.id.desc())).all()
        return {"data": keys}

    @require_key(*ADMIN)
    @write_endpoint("keys.create")
    @blp.arguments(KeyCreateSchema)
    @blp.response(201, NewKeySchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a key; the answer carries the raw key, which is never shown again."""
        key, raw = create_key(db.session, g.key.site_id, data["role"], now(),
                              name=data["name"], team=data.get("team"))
        _audit("key.create", key, {"role": key.role, "name": key.name, "prefix": key.prefix})
        return _dump_new(key, raw)


@blp.route("/<key_id>/revoke")
class RevokeKey(MethodView):
    @require_key(*ADMIN)
    @write_endpoint("keys.revoke")
    @blp.response(200, KeySchema)
    def post(self, key_id: str) -> ApiKey:
        """Revoke a key: it stops working with the next request."""
        key = _key_or_404(key_id)
        if key.revoked_at is None:
            moment = now()
            revoke_key(db.session, key, moment)
            _audit("key.revoke", key, {"revoked_at": moment.isoformat()})
        return key


@blp.route("/<key_id>/rotate")
class RotateKey(MethodView):
    @require_key(*ADMIN)
    @write_endpoint("keys.rotate")
    @blp.arguments(KeyRotateSchema, required=False)
    @blp.response(201, NewKeySchema)
    def post(self, data: dict[str, Any], key_id: str) -> dict[str, Any]:
        """Replace a key: the new one works at once, the old one until the overlap ends."""
        key = _key_or_404(key_id)
        if key.revoked_at is not None:
            raise APIError(409, "key_revoked", "A revoked key cannot be rotated.",
                           field="key_id")
        overlap = data.get("overlap_seconds", current_app.config["KEY_ROTATION_OVERLAP"])
        new_key, raw = rotate_key(db.session, key, now(), timedelta(seconds=overlap))
        _audit("key.rotate", key, {"replaced_by": new_key.id,
                                   "expires_at": key.expires_at.isoformat()
                                   if key.expires_at else None})
        return _dump_new(new_key, raw)
