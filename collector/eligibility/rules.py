"""Who gets surveyed: the rules, as pure functions over plain data.

Everything a decision needs is gathered by ``collector.eligibility.facts`` and handed over in the
dataclasses below, with the clock (``now``) passed in. The same function answers the widget
(``POST /v1/eligibility``), backends (``POST /v1/triggers``) and the send-time re-check of a
scheduled invitation, so every entry point gives the same answer and the same reason.

Reason codes, in the precedence used to pick the reported one (docs/eligibility.md says why):
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

REASONS: tuple[str, ...] = (
    "survey_inactive",
    "unsubscribed",
    "no_translation",
    "open_ticket",
    "awaiting_resolution_delay",
    "too_soon_after_signup",
    "recently_declined",
    "recently_surveyed",
    "survey_limit_reached",
    "daily_cap_reached",
    "not_sampled",
    "eligible",
)
__doc__ = (__doc__ or "") + "\n" + ", ".join(f"``{reason}``" for reason in REASONS) + ".\n"

SUPPORT_RESOLUTION = "support_resolution"
# Contacts that start the recontact period: the person saw (or was sent) a survey.
CONTACT_KINDS = frozenset({"shown", "sent", "answered"})
# Contacts that count towards ``max_surveys``: one per survey put in front of the person
# (an answer follows a display or an invitation that was already counted).
COUNTED_KINDS = frozenset({"shown", "sent"})
TWO_64 = 2**64


@dataclass(frozen=True)
class SegmentRate:
    property: str
    value: Any
    rate: float


@dataclass(frozen=True)
class Rules:
    """A survey's rules merged over the site's defaults. ``None`` turns a limit off."""

    sample_rate: float = 1.0
    segment_rates: tuple[SegmentRate, ...] = ()
    # ``None``: anonymous visitors are sampled at ``sample_rate``.
    anonymous_rate: float | None = None
    recontact_days: int = 90
    decline_days: int = 30
    max_surveys: int | None = None
    max_surveys_period_days: int = 365
    daily_cap: int | None = None
    min_days_since_signup: int = 0
    resolution_delay_hours: float = 24.0
    exclude_open_tickets: bool = True

    @classmethod
    def merge(cls, site_defaults: Mapping[str, Any] | None,
              survey_rules: Mapping[str, Any] | None) -> Rules:
        """Survey rules win over site defaults, which win over the built-in defaults."""
        merged: dict[str, Any] = {}
        for source in (site_defaults or {}, survey_rules or {}):
            for name in cls.__dataclass_fields__:
                if name in source:
                    merged[name] = source[name]
        if "segment_rates" in merged:
            merged["segment_rates"] = tuple(
                SegmentRate(s["property"], s["value"], float(s["rate"]))
                for s in merged["segment_rates"]
            )
        return cls(**merged)


@dataclass(frozen=True)
class PersonFacts:
    """``key`` is the stable identifier sampling hashes (``user:…``, ``email:…``,
    ``anon:…``); ``None`` when the request names nobody."""

    key: str | None
    identified: bool = False
    properties: Mapping[str, Any] = field(default_factory=dict)
    # Where ``min_days_since_signup`` counts from: the signup a backend stated, else the
    # earliest first sight known (``collector.eligibility.facts.signup_moment``).
    first_seen_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    bounced_at: datetime | None = None
    erased_at: datetime | None = None


@dataclass(frozen=True)
class ContactFact:
    kind: str  # shown | sent | declined | answered
    at: datetime
    survey_id: int | None = None


@dataclass(frozen=True)
class TicketFacts:
    open_count: int = 0
    last_resolved_at: datetime | None = None


@dataclass(frozen=True)
class Situation:
    """What is being asked: which survey, through which channel, at which touchpoint."""

    survey_active: bool
    has_translation: bool
    salt: str
    channel: str = "in_app"
    touchpoint: str | None = None
    # A trigger with ``delay``/``send_at`` (or its send-time re-check).
    delayed: bool = False
    responses_today: int = 0


@dataclass(frozen=True)
class Decision:
    eligible: bool
    reason: str
    # Every rule that excludes the person, in precedence order (``reason`` is the first).
    reasons: tuple[str, ...] = ()
    # When the only obstacle is the wait after a ticket's resolution: when it ends.
    wait_until: datetime | None = None
    sample_rate: float | None = None
    sample_draw: float | None = None


def sample_draw(salt: str, person_key: str) -> float:
    """A number in [0, 1), the same in every process for this survey and person.

    The first 8 bytes of SHA-256 read as an unsigned integer are uniform on [0, 2**64);
    dividing by 2**64 maps them onto [0, 1) exactly, without the bias ``% 100`` would add.
    """
    digest = hashlib.sha256(f"{salt}\x00{person_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / TWO_64


def sample_rate_for(rules: Rules, person: PersonFacts) -> float:
    if not person.identified:
        return rules.sample_rate if rules.anonymous_rate is None else rules.anonymous_rate
    for segment in rules.segment_rates:
        if segment.property in person.properties and (
                person.properties[segment.property] == segment.value):
            return segment.rate
    return rules.sample_rate


def _within(moment: datetime | None, now: datetime, period: timedelta) -> bool:
    """``moment`` happened less than ``period`` ago: the period ends exactly at
    ``moment + period``, where the person becomes eligible again."""
    return moment is not None and now < moment + period


def _last(contacts: Sequence[ContactFact], kinds: frozenset[str]) -> datetime | None:
    return max((c.at for c in contacts if c.kind in kinds), default=None)


def decide(situation: Situation, rules: Rules, person: PersonFacts,
           contacts: Sequence[ContactFact], tickets: TicketFacts, now: datetime) -> Decision:
    """Apply every rule; report the first reason by precedence (``REASONS``)."""
    found: set[str] = set()
    wait_until: datetime | None = None
    if not situation.survey_active:
        found.add("survey_inactive")
    if person.erased_at is not None or (situation.channel == "email" and (
            person.unsubscribed_at is not None or person.bounced_at is not None)):
        found.add("unsubscribed")
    if not situation.has_translation:
        found.add("no_translation")
    if rules.exclude_open_tickets and tickets.open_count > 0:
        found.add("open_ticket")
    if (situation.touchpoint == SUPPORT_RESOLUTION or situation.delayed) and _within(
            tickets.last_resolved_at, now, timedelta(hours=rules.resolution_delay_hours)):
        found.add("awaiting_resolution_delay")
        assert tickets.last_resolved_at is not None
        wait_until = tickets.last_resolved_at + timedelta(hours=rules.resolution_delay_hours)
    if rules.min_days_since_signup and _within(
            person.first_seen_at, now, timedelta(days=rules.min_days_since_signup)):
        found.add("too_soon_after_signup")
    if _within(_last(contacts, frozenset({"declined"})), now, timedelta(days=rules.decline_days)):
        found.add("recently_declined")
    if _within(_last(contacts, CONTACT_KINDS), now, timedelta(days=rules.recontact_days)):
        found.add("recently_surveyed")
    if rules.max_surveys is not None:
        since = now - timedelta(days=rules.max_surveys_period_days)
        counted = sum(1 for c in contacts if c.kind in COUNTED_KINDS and c.at > since)
        if counted >= rules.max_surveys:
            found.add("survey_limit_reached")
    if rules.daily_cap is not None and situation.responses_today >= rules.daily_cap:
        found.add("daily_cap_reached")
    rate = sample_rate_for(rules, person)
    draw = None
    if person.key is not None:
        draw = sample_draw(situation.salt, person.key)
        if draw >= rate:
            found.add("not_sampled")
    elif rate < 1.0:
        # Nobody to be sticky about: a draw would change on every page view.
        found.add("not_sampled")
    reasons = tuple(reason for reason in REASONS if reason in found)
    if not reasons:
        return Decision(True, "eligible", (), None, rate, draw)
    return Decision(False, reasons[0], reasons,
                    wait_until if reasons == ("awaiting_resolution_delay",) else None,
                    rate, draw)
