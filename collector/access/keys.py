"""API keys: creation, hashing, lookup. Only a key's SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from collector.core.config_cache import SiteSnapshot
from collector.models import ApiKey, Site

ROLE_PREFIX = {"publishable": "pk_", "secret": "sk_", "read": "rk_", "admin": "ak_"}
PREFIX_ROLE = {prefix: role for role, prefix in ROLE_PREFIX.items()}
ROLES = tuple(ROLE_PREFIX)


@dataclass(frozen=True)
class KeyContext:
    """Who is calling: the key's id, its site and its role."""

    key_id: int
    site_id: int
    role: str
    team: str | None = None

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_key(
    session: Session, site_id: int, role: str, now: datetime, *, name: str = "",
    team: str | None = None,
) -> tuple[ApiKey, str]:
    """Return the stored key and the raw key, which is shown once and never again."""
    if role not in ROLE_PREFIX:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    raw = ROLE_PREFIX[role] + secrets.token_urlsafe(24)
    key = ApiKey(site_id=site_id, role=role, key_hash=hash_key(raw), prefix=raw[:10],
                 name=name, team=team, created_at=now)
    session.add(key)
    session.flush()
    return key, raw


def create_key_with_value(
    session: Session, site_id: int, role: str, raw: str, now: datetime, *, name: str = ""
) -> ApiKey:
    """Store a key whose value is given (the demo seed keeps its keys across runs)."""
    key = ApiKey(site_id=site_id, role=role, key_hash=hash_key(raw), prefix=raw[:10],
                 name=name, created_at=now)
    session.add(key)
    session.flush()
    return key


def find_active_key(session: Session, raw: str, now: datetime) -> ApiKey | None:
    key = session.scalars(select(ApiKey).where(ApiKey.key_hash == hash_key(raw))).first()
    if key is None or key.revoked_at is not None:
        return None
    if key.expires_at is not None and key.expires_at <= now:
        return None
    return key


@dataclass(frozen=True)
class ActiveKey:
    """What authenticating a request needs of a key and its site, read in one statement."""

    id: int
    site_id: int
    role: str
    team: str | None
    site: SiteSnapshot = field(compare=False, repr=False)
    expires_at: datetime | None = None

    def usable_at(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


# Built once: building and hashing a statement costs more than running it on SQLite.
_KEY_WITH_SITE = (
    select(ApiKey.id, ApiKey.site_id, ApiKey.role, ApiKey.team, ApiKey.revoked_at,
           ApiKey.expires_at, Site.default_locale, Site.identity_secret,
           Site.require_identity, Site.settings, Site.allowed_origins)
    .join(Site, Site.id == ApiKey.site_id)
    .where(ApiKey.key_hash == bindparam("key_hash"))
)


def find_active_key_record(session: Session, raw: str, now: datetime) -> ActiveKey | None:
    """Like :func:`find_active_key`, for every request: one select of the key's needed
    columns with its site's. A revoked key is ``None``; an expiring one carries
    ``expires_at`` so a cached record still stops on time (collector/core/config_cache.py)."""
    row = session.connection().execute(_KEY_WITH_SITE, {"key_hash": hash_key(raw)}).first()
    if row is None or row.revoked_at is not None:
        return None
    site = SiteSnapshot(row.site_id, row.default_locale, row.identity_secret,
                        row.require_identity, dict(row.settings or {}),
                        tuple(row.allowed_origins or ()))
    key = ActiveKey(row.id, row.site_id, row.role, row.team, site, row.expires_at)
    return key if key.usable_at(now) else None


def revoke_key(session: Session, key: ApiKey, now: datetime) -> None:
    key.revoked_at = now


def rotate_key(
    session: Session, key: ApiKey, now: datetime, overlap: timedelta
) -> tuple[ApiKey, str]:
    """A new key of the same role; the old one keeps working for ``overlap``."""
    new_key, raw = create_key(session, key.site_id, key.role, now, name=key.name, team=key.team)
    key.expires_at = now + overlap
    return new_key, raw
