"""The demo site that ``tenpoint init --demo`` creates and ``/demo`` shows.

Its keys derive from the instance secret, so seeding twice keeps the same keys.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.access.keys import ROLE_PREFIX, create_key_with_value, hash_key
from collector.core.survey_lookup import find_survey
from collector.models import ApiKey, Site
from collector.surveys.definitions import create_survey

DEMO_SITE = "demo"
DEMO_SURVEY = "product-nps"
DEMO_TEXTS: dict[str, Any] = {
    "en": {
        "question": "How likely are you to recommend Acme Cloud to a friend or colleague?",
        "follow_up": {
            "detractor": "What disappointed you, and what could we do better?",
            "passive": "What would make Acme Cloud a 10 for you?",
            "promoter": "What do you like most about Acme Cloud?",
        },
        "thank_you": {
            "detractor": "Thank you. Someone from our team will read this personally.",
            "passive": "Thank you for helping us improve.",
            "promoter": "Thank you! Would you share that with others?",
        },
    }
}


def demo_keys(secret: str) -> dict[str, str]:
    def derive(role: str) -> str:
        digest = hmac.new(secret.encode(), f"demo-{role}".encode(), hashlib.sha256).hexdigest()
        return f"{ROLE_PREFIX[role]}demo_{digest[:32]}"

    return {role: derive(role) for role in ROLE_PREFIX}


def seed_demo(
    session: Session, *, secret: str, origins: list[str], now: datetime
) -> dict[str, str]:
    """Create (or complete) the demo site; return its keys. Safe to run any number of times."""
    site = session.scalars(select(Site).where(Site.slug == DEMO_SITE)).first()
    if site is None:
        site = Site(slug=DEMO_SITE, name="Acme Cloud (demo)", allowed_origins=origins,
                    default_locale="en", identity_secret=demo_keys(secret)["secret"][-32:],
                    settings={}, created_at=now)
        session.add(site)
        session.flush()
    else:
        site.allowed_origins = sorted(set(site.allowed_origins) | set(origins))
    keys = demo_keys(secret)
    for role, raw in keys.items():
        exists = session.scalars(select(ApiKey.id).where(ApiKey.key_hash == hash_key(raw))).first()
        if exists is None:
            create_key_with_value(session, site.id, role, raw, now, name="demo")
    if find_survey(session, site.id, DEMO_SURVEY) is None:
        create_survey(session, site.id, key=DEMO_SURVEY, name="Product NPS",
                      config={"texts": DEMO_TEXTS, "default_locale": "en",
                              "touchpoint": "in_app",
                              "appearance": {"brand_color": "#4f46e5",
                                             "position": "bottom-right"},
                              # The demo must show the survey every time someone opens it.
                              "rules": {"sample_rate": 1.0, "recontact_days": 0,
                                        "decline_days": 0}},
                      active=True, now=now, actor="cli")
    return {"site": DEMO_SITE, **{f"{role}_key": raw for role, raw in keys.items()}}
