"""Builders for test data, through the same domain functions the API uses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from collector.access.keys import ROLES, create_key
from collector.models import Site
from collector.surveys.definitions import create_survey

ORIGIN = "https://app.example.com"
TEXTS_EN: dict[str, Any] = {
    "question": "How likely are you to recommend Example to a friend or colleague?",
    "follow_up": {"detractor": "What went wrong?", "passive": "What would make it a 10?",
                  "promoter": "What do you love?"},
}


@dataclass(frozen=True)
class SiteKeys:
    site_id: int
    slug: str
    publishable: str
    secret: str
    read: str
    admin: str
    identity_secret: str

    def auth(self, role: str = "secret") -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


def make_site(session: Session, slug: str = "example", *, origins: list[str] | None = None,
              now: datetime | None = None, **settings: Any) -> SiteKeys:
    now = now or datetime(2026, 1, 1, tzinfo=UTC)
    site = Site(slug=slug, name=slug.title(), allowed_origins=origins or [ORIGIN],
                default_locale="en", identity_secret=secrets.token_hex(32),
                settings=settings, created_at=now)
    session.add(site)
    session.flush()
    raw = {role: create_key(session, site.id, role, now)[1] for role in ROLES}
    session.commit()
    return SiteKeys(site.id, slug, raw["publishable"], raw["secret"], raw["read"],
                    raw["admin"], site.identity_secret)


def make_survey(session: Session, site_id: int, key: str = "nps", *,
                texts: dict[str, Any] | None = None, rules: dict[str, Any] | None = None,
                now: datetime | None = None, **config: Any) -> str:
    body: dict[str, Any] = {"texts": texts or {"en": TEXTS_EN}, "default_locale": "en",
                            "rules": rules or {}, **config}
    create_survey(session, site_id, key=key, name=key.upper(), config=body, active=True,
                  now=now or datetime(2026, 1, 1, tzinfo=UTC), actor="test")
    session.commit()
    return key


class Ticking:
    """A clock of float seconds that moves only when a test sets ``now``."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
