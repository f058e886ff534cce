"""Screening one submitted answer: identity, fingerprint and bot verdict, from the request.

The rules are in collector/protection/verdicts.py and collector/access/identity.py (no Flask
there); this module only reads what they need from the request. ``POST /v1/responses`` and
the hosted pages call ``screen_submission`` so an answer gets the same verdict wherever it arrives.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import bindparam, func, select

from collector.access.identity import IdentityError, check_identity
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.models import Response
from collector.models.base import UTCDateTime
from collector.protection.display_tokens import (
    MISMATCH,
    MISSING,
    issue_token,
    read_token,
    token_id_of,
    visitor_of,
)
from collector.protection.fingerprints import caller_fingerprint
from collector.protection.proof_of_work import AUTOMATIC, Rates, challenge_for, solved, window_since
from collector.protection.proof_of_work import required as pow_required
from collector.protection.token_uses import claim_token
from collector.protection.verdicts import (
    ACCEPTED,
    BROWSER_SOURCE,
    DISPLAY_MISMATCH,
    DISPLAY_MISSING,
    DISPLAY_REUSED,
    DISPLAY_VALID,
    SERVER_SOURCE,
    Display,
    History,
    Signals,
    Submission,
    Verdict,
    assess_submission,
    fingerprint_history,
)


@dataclass(frozen=True)
class Screening:
    user_id: str | None
    fingerprint: str
    verdict: Verdict


def verified_user_id(site: Any, *, browser: bool, user_id: str | None, email: str | None,
                     token: str | None, now: datetime) -> str | None:
    """The person's id after the site's identity rule; 401 with the reason when refused.

    Backends with a secret key are trusted to name people, so the site's requirement binds
    browsers only; a token sent by anyone is still checked.
    """
    try:
        subject = check_identity(site.identity_secret, site.require_identity and browser,
                                 user_id, token, now, email=email)
    except IdentityError as error:
        raise APIError(401, error.code, str(error), field="identity_token") from error
    return subject or user_id


def screen_submission(
    survey: Any, site: Any, data: dict[str, Any], *, role: str, now: datetime
) -> Screening:
    """Check identity (may raise 401) and judge the answer ``data`` from this request.
    ``survey`` and ``site`` may be models or snapshots (collector/core/config_cache.py)."""
    browser = role == "publishable"
    token = data.get("identity_token")
    user_id = verified_user_id(site, browser=browser, user_id=data.get("user_id"),
                               email=data.get("email"), token=token, now=now)
    print_ = caller_fingerprint()
    if not verdicts_enabled():
        return Screening(user_id, print_, Verdict(ACCEPTED, ()))
    # A browser answers a display the collector made, and only once (docs/protection.md).
    display = displayed(survey, data.get("display_token"), visitor_of(
        user_id=user_id, email=data.get("email"), anonymous_id=data.get("anonymous_id")),
        now=now, proof=data.get("proof_of_work")) if browser else None
    verdict = judge(survey, print_, data.get("signals"), browser=browser,
                    identity_verified=bool(token), now=now, display=display,
                    signals_sent=not browser or "signals" in data,
                    repeats_allowed=bool((site.settings or {}).get("allow_repeat_answers")))
    return Screening(user_id, print_, verdict)


def display_token(survey: Any, visitor: str, now: datetime, *, proof: bool = False) -> str:
    """A token for a display of ``survey`` to ``visitor`` made by this request."""
    return issue_token(current_app.config["SECRET_KEY"], survey.site_id, survey.id, visitor,
                       caller_fingerprint(), now, secrets.token_bytes(12), proof=proof)


def challenge(token: str) -> dict[str, Any]:
    """The proof-of-work challenge of the display that ``token`` names."""
    return challenge_for(current_app.config["SECRET_KEY"], token_id_of(token),
                         max_number=int(current_app.config["PROOF_OF_WORK_MAX_NUMBER"]))


# Automatic proof of work: per process, each survey's decision is kept for a minute.
SURGE_RECHECK = timedelta(minutes=1)
SURGES = "tenpoint_surges"


def proof_required(survey: Any, now: datetime) -> bool:
    """Whether a display of ``survey`` now carries a challenge (its ``proof_of_work``)."""
    version = survey.current_version
    mode = version.config.get("proof_of_work") if version is not None else None
    if mode != AUTOMATIC:
        return pow_required(mode, None)
    surges: dict[int, tuple[datetime, bool]] = current_app.extensions.setdefault(SURGES, {})
    known = surges.get(survey.id)
    if known is None or known[0] <= now:
        recent, baseline = window_since(now)
        new, usual = db.session.connection().execute(_SURVEY_RATES, {
            "survey_id": survey.id, "recent": recent, "baseline": baseline}).one()
        known = (now + SURGE_RECHECK, pow_required(mode, Rates(new or 0, usual or 0)))
        surges[survey.id] = known
    return known[1]


_SURVEY_RATES = select(
    select(func.count()).select_from(Response).where(
        Response.survey_id == bindparam("survey_id"),
        Response.created_at >= bindparam("recent", type_=UTCDateTime())).scalar_subquery(),
    select(func.count()).select_from(Response).where(
        Response.survey_id == bindparam("survey_id"),
        Response.created_at >= bindparam("baseline", type_=UTCDateTime()),
        Response.created_at < bindparam("recent", type_=UTCDateTime())).scalar_subquery(),
)


def displayed(survey: Any, token: str | None, visitor: str, *, now: datetime,
              proof: str | None = None) -> Display:
    """What the answer's token proves, its single use claimed in this transaction;
    ``proof``: the answer's proof-of-work solution, checked when the display asked for one."""
    proof_of = read_token(current_app.config["SECRET_KEY"], survey.site_id, token,
                          survey_id=survey.id, visitor=visitor,
                          fingerprint=caller_fingerprint(), now=now)
    if proof_of.status == MISSING:
        return Display(DISPLAY_MISSING)
    status = DISPLAY_MISMATCH if proof_of.status == MISMATCH else DISPLAY_VALID
    assert proof_of.token_id is not None
    if not claim_token(db.session, proof_of.token_id, site_id=survey.site_id,
                       survey_id=survey.id, now=now):
        status = DISPLAY_REUSED
    work = solved(current_app.config["SECRET_KEY"], proof_of.token_id, proof) \
        if proof_of.proof_required else None
    return Display(status, proof_of.age_ms(now), proof_of.fingerprint_changed, work)


def judge(survey: Any, print_: str, signals: dict[str, Any] | None, *, browser: bool,
          identity_verified: bool, now: datetime, display: Display | None = None,
          signals_sent: bool = True, repeats_allowed: bool = False) -> Verdict:
    """The verdict for an answer to ``survey`` arriving with this request's user agent.
    ``repeats_allowed`` (the site setting ``allow_repeat_answers``, the demo's) turns the
    repeat-answer rule off; the burst rule still counts the site's answers."""
    if not verdicts_enabled():
        return Verdict(ACCEPTED, ())
    history = (fingerprint_history(db.session, survey.site_id, survey.id, print_, now)
               if browser and not identity_verified else History())
    if repeats_allowed:
        history = replace(history, same_survey_recent=0)
    return assess_submission(
        Submission(source=BROWSER_SOURCE if browser else SERVER_SOURCE,
                   user_agent=request.headers.get("User-Agent"),
                   signals=Signals.from_dict(signals), identity_verified=identity_verified,
                   display=display, signals_sent=signals_sent),
        history)


def verdicts_enabled() -> bool:
    """Bot verdicts and display tokens are judged (``TENPOINT_BOT_VERDICTS``)."""
    enabled = current_app.config.get("BOT_VERDICTS")
    # Unset: on, except for test apps, whose headless browsers would all be quarantined.
    return (not current_app.testing) if enabled is None else bool(enabled)
