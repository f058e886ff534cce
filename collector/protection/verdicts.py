"""Fingerprints and bot verdicts: pure functions over plain data, no Flask, no database.

A verdict is "accepted" or "quarantined" with the reasons. Quarantined answers are stored and
listed like any other, only left out of metrics until an admin releases them, so a wrong
verdict costs a click, never an answer. docs/protection.md lists every rule and threshold.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from collector.models import Response
from collector.protection.user_agents import classify

ACCEPTED = "accepted"
QUARANTINED = "quarantined"
RELEASED = "released"

# Faster than this from the survey appearing to the answer, nobody has read the question.
# Picking a score is one click; reading a 12-word question takes people about 1.5 s.
MIN_HUMAN_MS = 1000
# Another answer to the same survey from the same fingerprint within this span is a repeat.
REPEAT_WINDOW = timedelta(hours=24)
# This many earlier answers on the site from one fingerprint within BURST_WINDOW is a burst.
BURST_COUNT = 3
BURST_WINDOW = timedelta(minutes=10)

# Where an answer comes from decides which signals count: a browser (publishable key, hosted
# page) is judged by its user agent; a backend holding a secret key is trusted for it.
BROWSER_SOURCE = "browser"
SERVER_SOURCE = "server"


def fingerprint(secret: str, ip: str, user_agent: str, accept_language: str) -> str:
    """A keyed hash, so the raw IP is never stored and nobody can recompute it offline."""
    message = "\x1f".join((ip or "", user_agent or "", accept_language or "")).encode()
    # ``hmac.digest``: the same HMAC as ``hmac.new``, in one call to OpenSSL.
    return hmac.digest(secret.encode(), b"fingerprint\x1f" + message, "sha256").hex()


@dataclass(frozen=True)
class Signals:
    """What the widget saw of the browser (all optional: older widgets send none)."""

    webdriver: bool | None = None
    elapsed_ms: int | None = None
    honeypot: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> Signals:
        data = data or {}
        elapsed = data.get("elapsed_ms")
        honeypot = data.get("honeypot")
        return cls(webdriver=bool(data["webdriver"]) if "webdriver" in data else None,
                   elapsed_ms=int(elapsed) if isinstance(elapsed, int) else None,
                   honeypot=honeypot if isinstance(honeypot, str) else None)


# What an answer's display token proved (collector/protection/display_tokens.py).
DISPLAY_VALID = "valid"
DISPLAY_MISSING = "missing"
DISPLAY_MISMATCH = "mismatch"
DISPLAY_REUSED = "reused"
_DISPLAY_REASONS = {DISPLAY_MISSING: "no_display", DISPLAY_MISMATCH: "display_mismatch",
                    DISPLAY_REUSED: "display_reused"}


@dataclass(frozen=True)
class Display:
    """The display a browser's answer follows: the token's verdict, the milliseconds from
    its issue to the answer's arrival (server clock only), and whether the fingerprint
    changed in between."""

    status: str
    age_ms: int | None = None
    fingerprint_changed: bool = False
    # The display asked for proof of work: ``True`` solved, ``False`` not; ``None`` not asked.
    proof_of_work: bool | None = None


@dataclass(frozen=True)
class Submission:
    source: str
    user_agent: str | None
    signals: Signals = Signals()
    identity_verified: bool = False
    # Browser answers only: ``None`` where no display is asked for (verdicts of old data,
    # server answers). ``signals_sent``: the widget always sends its block.
    display: Display | None = None
    signals_sent: bool = True


@dataclass(frozen=True)
class History:
    """Earlier answers from the same fingerprint."""

    same_survey_recent: int = 0
    site_recent: int = 0


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reasons: tuple[str, ...]
    # Noted for whoever reviews the answer, never a reason to quarantine on their own.
    signals: tuple[str, ...] = ()

    @property
    def quarantined(self) -> bool:
        return self.verdict == QUARANTINED


def assess_submission(submission: Submission, history: History = History()) -> Verdict:
    """Quarantine on any one reason; every reason found is reported."""
    reasons: list[str] = []
    if submission.source == BROWSER_SOURCE:
        agent = classify(submission.user_agent)
        if not agent.human:
            reasons.append(f"user_agent_{agent.kind}")
    noted: list[str] = []
    display = submission.display
    if display is not None:
        if display.status in _DISPLAY_REASONS:
            reasons.append(_DISPLAY_REASONS[display.status])
        # The server's own clock, from the display to the answer: nothing the client says.
        if display.age_ms is not None and display.age_ms < MIN_HUMAN_MS:
            reasons.append("too_fast")
        if display.proof_of_work is False:
            reasons.append("no_proof_of_work")
        if display.fingerprint_changed:
            noted.append("fingerprint_changed")
    signals = submission.signals
    if not submission.signals_sent:
        reasons.append("no_signals")
    if signals.webdriver:
        reasons.append("webdriver")
    if signals.honeypot:
        reasons.append("honeypot")
    if signals.elapsed_ms is not None and signals.elapsed_ms < MIN_HUMAN_MS:
        # The client's own timing: decides only when there is no display to time from.
        if display is None or display.age_ms is None:
            reasons.append("too_fast")
        else:
            noted.append("client_too_fast")
    # A verified identity tells people apart even when they share an office NAT and browser
    # build, so only anonymous answers are judged by their fingerprint's history.
    if submission.source == BROWSER_SOURCE and not submission.identity_verified:
        if history.same_survey_recent > 0:
            reasons.append("repeat_answer")
        if history.site_recent >= BURST_COUNT:
            reasons.append("burst")
    return Verdict(QUARANTINED if reasons else ACCEPTED, tuple(reasons), tuple(noted))


# Both counts in one statement (one round trip), built once: this runs on every answer a
# browser sends.
_FINGERPRINT_COUNTS = select(
    select(func.count()).select_from(Response).where(
        Response.survey_id == bindparam("survey_id"), Response.fingerprint == bindparam("print_"),
        Response.created_at >= bindparam("survey_since")).scalar_subquery(),
    select(func.count()).select_from(Response).where(
        Response.site_id == bindparam("site_id"), Response.fingerprint == bindparam("print_"),
        Response.created_at >= bindparam("site_since")).scalar_subquery(),
)


def fingerprint_history(
    session: Session, site_id: int, survey_id: int, print_: str, now: datetime
) -> History:
    """Count the fingerprint's recent answers to this survey and to the whole site (indexed
    by survey and by site, each with the fingerprint)."""
    same_survey, site_recent = session.connection().execute(_FINGERPRINT_COUNTS, {
        "survey_id": survey_id, "site_id": site_id, "print_": print_,
        "survey_since": now - REPEAT_WINDOW, "site_since": now - BURST_WINDOW}).one()
    return History(same_survey_recent=same_survey or 0, site_recent=site_recent or 0)
