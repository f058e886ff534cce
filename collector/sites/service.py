"""Creating and changing sites. Every change is written to the audit trail.

A site is one customer product: the origins its pages are served from (the only ones a
publishable key works on), its settings (eligibility defaults, retention, follow-up rules,
alerts; docs/sites.md) and the identity secret its backend signs person ids with.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.access.keys import ROLES, create_key
from collector.core.audit import record_audit
from collector.languages.tags import parse_tag
from collector.models import Site

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
ENTITY = "site"


def new_identity_secret() -> str:
    return secrets.token_hex(32)


class SiteError(ValueError):
    """A change that cannot be made, with a stable code and the field at fault."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def normalize_origin(value: str, field: str = "origins") -> str:
    """``https://app.example.com`` as a browser sends it in ``Origin``: scheme, host, port
    only, lower case, the default port left out. Anything else is refused, not trimmed."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise SiteError("invalid_origin", f"{value!r} is not an origin: {error}.",
                        field) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteError("invalid_origin", f"{value!r} is not an origin; write it like "
                        "https://app.example.com (scheme and host, no path).", field)
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise SiteError("invalid_origin", f"{value!r} has a path, query or user name; an "
                        "origin is only scheme, host and port (https://app.example.com).", field)
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def check_locale(tag: str, field: str = "default_locale") -> str:
    """A language tag CLDR knows (``en``, ``pt-BR``); a site's fallback for every visitor."""
    if parse_tag(tag) is None:
        raise SiteError("invalid_locale", f"{tag!r} is not a language tag we know; write it "
                        "like en, de or pt-BR.", field)
    return tag


def normalize_origins(values: Iterable[str], field: str = "origins") -> list[str]:
    seen: list[str] = []
    for value in values:
        origin = normalize_origin(value, field)
        if origin not in seen:
            seen.append(origin)
    return seen


@dataclass(frozen=True)
class NewSite:
    """A site just created and its four keys, which are shown this once only."""

    site: Site
    keys: dict[str, str]


def find_site(session: Session, slug: str) -> Site | None:
    return session.scalars(select(Site).where(Site.slug == slug)).first()


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.slug)))


def create_site(
    session: Session, *, slug: str, name: str, origins: Iterable[str], now: datetime,
    actor: str, default_locale: str = "en", settings: Mapping[str, Any] | None = None,
    make_secret: Callable[[], str] = new_identity_secret,
) -> NewSite:
    """Create a site with one key of every role (publishable, secret, read, admin)."""
    if not SLUG.match(slug):
        raise SiteError("invalid_slug", "A site's slug is 1-64 lower-case letters, digits "
                        "and hyphens, starting and ending with a letter or digit.", "slug")
    if find_site(session, slug) is not None:
        raise SiteError("site_exists", f"A site {slug!r} already exists.", "slug")
    site = Site(slug=slug, name=name or slug, allowed_origins=normalize_origins(origins),
                default_locale=check_locale(default_locale), identity_secret=make_secret(),
                require_identity=False, settings=dict(settings or {}), created_at=now)
    session.add(site)
    session.flush()
    keys = {role: create_key(session, site.id, role, now, name=f"{slug} {role}")[1]
            for role in ROLES}
    record_audit(session, site_id=site.id, actor=actor, action="site.created",
                 entity_type=ENTITY, entity_id=str(site.id),
                 changes={"slug": slug, "name": site.name,
                          "allowed_origins": list(site.allowed_origins),
                          "settings": dict(site.settings)}, at=now)
    return NewSite(site, keys)


def merge_settings(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys replace; a ``None`` value removes the key (back to the default)."""
    merged = dict(current or {})
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def update_site(
    session: Session, site: Site, *, now: datetime, actor: str, name: str | None = None,
    origins: Iterable[str] | None = None, add_origins: Iterable[str] = (),
    remove_origins: Iterable[str] = (), settings: Mapping[str, Any] | None = None,
    default_locale: str | None = None, require_identity: bool | None = None,
) -> dict[str, Any]:
    """Apply the changes given; return them as ``{field: {"from", "to"}}`` (also audited).
    ``origins`` replaces the list; ``add_origins``/``remove_origins`` edit it. Removing an
    origin the site does not have is an error, not a silent no-op."""
    allowed = (normalize_origins(origins, "allowed_origins") if origins is not None
               else list(site.allowed_origins or []))
    for origin in normalize_origins(remove_origins, "remove_origins"):
        if origin not in allowed:
            raise SiteError("origin_not_found", f"{origin} is not one of this site's allowed "
                            f"origins ({', '.join(allowed) or 'none'}).", "remove_origins")
        allowed.remove(origin)
    allowed += [o for o in normalize_origins(add_origins, "add_origins") if o not in allowed]
    new_name = site.name if name is None else name
    new_settings = (dict(site.settings or {}) if settings is None
                    else merge_settings(site.settings or {}, settings))
    new_locale = site.default_locale if default_locale is None else check_locale(default_locale)
    new_identity = site.require_identity if require_identity is None else require_identity
    before: dict[str, Any] = {
        "name": site.name, "allowed_origins": list(site.allowed_origins or []),
        "settings": dict(site.settings or {}), "default_locale": site.default_locale,
        "require_identity": site.require_identity}
    after: dict[str, Any] = {
        "name": new_name, "allowed_origins": allowed, "settings": new_settings,
        "default_locale": new_locale, "require_identity": new_identity}
    changes = {key: {"from": before[key], "to": after[key]}
               for key in before if before[key] != after[key]}
    if not changes:
        return {}
    site.name, site.allowed_origins, site.settings = new_name, allowed, new_settings
    site.default_locale, site.require_identity = new_locale, new_identity
    record_audit(session, site_id=site.id, actor=actor, action="site.updated",
                 entity_type=ENTITY, entity_id=str(site.id), changes=changes, at=now)
    return changes


def rotate_identity_secret(
    session: Session, site: Site, *, now: datetime, actor: str,
    make_secret: Callable[[], str] = new_identity_secret,
) -> str:
    """A new identity secret, in force at once: tokens signed with the old one stop
    verifying. The audit entry records that it changed, never the secret itself."""
    site.identity_secret = make_secret()
    record_audit(session, site_id=site.id, actor=actor, action="site.identity_secret.rotated",
                 entity_type=ENTITY, entity_id=str(site.id),
                 changes={"identity_secret": "rotated"}, at=now)
    return site.identity_secret
