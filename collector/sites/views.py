"""``/v1/site``: the calling key's own site. Secret and admin keys; only an admin key sees
or rotates the identity secret. A publishable key, which lives in browsers, gets 403."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from collector.access.auth import ADMIN, WRITE, require_key
from collector.core.clock import now
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.core.idempotency import write_endpoint
from collector.core.parsing import Blueprint
from collector.models import Site
from collector.sites.schemas import (
    IdentitySecretSchema,
    SiteChangeSchema,
    SiteSchema,
    SiteUpdateSchema,
)
from collector.sites.service import SiteError, rotate_identity_secret, update_site

blp = Blueprint("site", __name__, url_prefix="/v1/site",
                description="The calling key's site: name, allowed origins, settings.")

FIELDS = ("slug", "name", "allowed_origins", "default_locale", "require_identity", "settings",
          "created_at")


def _site() -> Site:
    site = db.session.get(Site, g.key.site_id)
    if site is None:  # deleted while its key was cached
        raise APIError(404, "site_not_found", "This key's site no longer exists.")
    return site


def _dump(site: Site) -> dict[str, Any]:
    body = {name: getattr(site, name) for name in FIELDS}
    if g.key.role == "admin":
        body["identity_secret"] = site.identity_secret
    return body


@blp.route("")
class OwnSite(MethodView):
    @require_key(*WRITE)
    @blp.response(200, SiteSchema)
    def get(self) -> dict[str, Any]:
        """Read the site; the identity secret is included for admin keys only."""
        return _dump(_site())

    @require_key(*WRITE)
    @write_endpoint("site.update")
    @blp.arguments(SiteUpdateSchema)
    @blp.response(200, SiteChangeSchema)
    def patch(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change the name, allowed origins, default locale or settings (audited)."""
        site = _site()
        try:
            changes = update_site(
                db.session, site, now=now(), actor=g.key.actor, name=data.get("name"),
                origins=data.get("allowed_origins"), add_origins=data.get("add_origins", ()),
                remove_origins=data.get("remove_origins", ()), settings=data.get("settings"),
                default_locale=data.get("default_locale"),
                require_identity=data.get("require_identity"))
        except SiteError as error:
            raise APIError(422, error.code, error.message, field=error.field) from error
        return {**_dump(site), "changes": changes}


@blp.route("/identity-secret/rotate")
class RotateIdentitySecret(MethodView):
    @require_key(*ADMIN)
    @write_endpoint("site.identity_secret.rotate")
    @blp.response(200, IdentitySecretSchema)
    def post(self) -> dict[str, str]:
        """Replace the identity secret at once: tokens signed with the old one stop working,
        so deploy the new one to your backend right away (audited, without the secret)."""
        return {"identity_secret": rotate_identity_secret(db.session, _site(), now=now(),
                                                          actor=g.key.actor)}
