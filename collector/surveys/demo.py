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

# ruff: noqa: RUF001  (the Japanese texts use full-width punctuation, as Japanese does)
DEMO_SITE = "demo"
DEMO_SURVEY = "product-nps"
# Several languages, one of them right to left, so a newcomer sees the survey follow the
# browser's language (docs/i18n.md). The promoter link is added by seed_demo: the demo page.
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
            "promoter": "Thank you! Would you share Acme Cloud with a colleague?",
        },
        "promoter_link_label": "Send a colleague this demo",
    },
    "fr": {
        "question": "Quelle est la probabilité que vous recommandiez Acme Cloud à un ami ou "
                    "à un collègue ?",
        "follow_up": {
            "detractor": "Qu'est-ce qui vous a déçu, et que pourrions-nous améliorer ?",
            "passive": "Qu'est-ce qui ferait d'Acme Cloud un 10 pour vous ?",
            "promoter": "Qu'appréciez-vous le plus dans Acme Cloud ?",
        },
        "thank_you": {
            "detractor": "Merci. Un membre de notre équipe lira votre réponse personnellement.",
            "passive": "Merci de nous aider à nous améliorer.",
            "promoter": "Merci ! Voulez-vous faire connaître Acme Cloud à un collègue ?",
        },
        "promoter_link_label": "Envoyer cette démo à un collègue",
    },
    "de": {
        "question": "Wie wahrscheinlich ist es, dass Sie Acme Cloud einem Freund oder "
                    "Kollegen empfehlen?",
        "follow_up": {
            "detractor": "Was hat Sie enttäuscht, und was könnten wir besser machen?",
            "passive": "Was würde Acme Cloud für Sie zu einer 10 machen?",
            "promoter": "Was gefällt Ihnen an Acme Cloud am besten?",
        },
        "thank_you": {
            "detractor": "Danke. Jemand aus unserem Team liest Ihre Antwort persönlich.",
            "passive": "Danke, dass Sie uns helfen, besser zu werden.",
            "promoter": "Danke! Möchten Sie Acme Cloud einem Kollegen zeigen?",
        },
        "promoter_link_label": "Diese Demo einem Kollegen schicken",
    },
    "es": {
        "question": "¿Qué probabilidad hay de que recomiende Acme Cloud a un amigo o colega?",
        "follow_up": {
            "detractor": "¿Qué le decepcionó y qué podríamos mejorar?",
            "passive": "¿Qué haría que Acme Cloud fuera un 10 para usted?",
            "promoter": "¿Qué es lo que más le gusta de Acme Cloud?",
        },
        "thank_you": {
            "detractor": "Gracias. Alguien de nuestro equipo leerá esto personalmente.",
            "passive": "Gracias por ayudarnos a mejorar.",
            "promoter": "¡Gracias! ¿Compartiría Acme Cloud con un colega?",
        },
        "promoter_link_label": "Enviar esta demo a un colega",
    },
    "ar": {
        "question": "ما مدى احتمال أن توصي بـ Acme Cloud لصديق أو زميل؟",
        "follow_up": {
            "detractor": "ما الذي خيّب أملك، وما الذي يمكننا تحسينه؟",
            "passive": "ما الذي سيجعل Acme Cloud يستحق 10 في رأيك؟",
            "promoter": "ما أكثر ما يعجبك في Acme Cloud؟",
        },
        "thank_you": {
            "detractor": "شكرًا لك. سيقرأ أحد أعضاء فريقنا إجابتك بنفسه.",
            "passive": "شكرًا لمساعدتنا على التحسن.",
            "promoter": "شكرًا لك! هل تود مشاركة Acme Cloud مع زميل؟",
        },
        "promoter_link_label": "أرسل هذا العرض إلى زميل",
    },
    "ja": {
        "question": "Acme Cloud を友人や同僚に勧める可能性はどのくらいありますか？",
        "follow_up": {
            "detractor": "残念だった点と、改善できる点を教えてください。",
            "passive": "Acme Cloud が 10 点になるには何が必要ですか？",
            "promoter": "Acme Cloud のどこが一番気に入っていますか？",
        },
        "thank_you": {
            "detractor": "ありがとうございます。担当者が必ず目を通します。",
            "passive": "改善へのご協力ありがとうございます。",
            "promoter": "ありがとうございます！同僚に Acme Cloud を紹介していただけますか？",
        },
        "promoter_link_label": "このデモを同僚に送る",
    },
}
# The demo is answered again and again from the same browser ("Ask me again"): the fingerprint
# rule against repeat answers (docs/protection.md) is off for this site only.
DEMO_SETTINGS: dict[str, Any] = {"allow_repeat_answers": True}


def demo_texts(share_url: str) -> dict[str, Any]:
    """The demo's texts, each language's promoter thank-you linking to ``share_url``."""
    return {tag: {**texts, "promoter_link_url": share_url} for tag, texts in DEMO_TEXTS.items()}


def demo_keys(secret: str) -> dict[str, str]:
    def derive(role: str) -> str:
        digest = hmac.new(secret.encode(), f"demo-{role}".encode(), hashlib.sha256).hexdigest()
        return f"{ROLE_PREFIX[role]}demo_{digest[:32]}"

    return {role: derive(role) for role in ROLE_PREFIX}


def seed_demo(
    session: Session, *, secret: str, origins: list[str], now: datetime,
    share_url: str = "http://127.0.0.1:5000/demo",
) -> dict[str, str]:
    """Create (or complete) the demo site; return its keys. Safe to run any number of times."""
    site = session.scalars(select(Site).where(Site.slug == DEMO_SITE)).first()
    if site is None:
        site = Site(slug=DEMO_SITE, name="Acme Cloud (demo)", allowed_origins=origins,
                    default_locale="en", identity_secret=demo_keys(secret)["secret"][-32:],
                    settings=dict(DEMO_SETTINGS), created_at=now)
        session.add(site)
        session.flush()
    else:
        site.allowed_origins = sorted(set(site.allowed_origins) | set(origins))
        site.settings = {**(site.settings or {}), **DEMO_SETTINGS}
    keys = demo_keys(secret)
    for role, raw in keys.items():
        exists = session.scalars(select(ApiKey.id).where(ApiKey.key_hash == hash_key(raw))).first()
        if exists is None:
            create_key_with_value(session, site.id, role, raw, now, name="demo")
    if find_survey(session, site.id, DEMO_SURVEY) is None:
        create_survey(session, site.id, key=DEMO_SURVEY, name="Product NPS",
                      config={"texts": demo_texts(share_url), "default_locale": "en",
                              "touchpoint": "in_app",
                              "appearance": {"brand_color": "#4f46e5",
                                             "position": "bottom-right"},
                              # The demo must show the survey every time someone opens it.
                              "rules": {"sample_rate": 1.0, "recontact_days": 0,
                                        "decline_days": 0}},
                      active=True, now=now, actor="cli")
    return {"site": DEMO_SITE, **{f"{role}_key": raw for role, raw in keys.items()}}
