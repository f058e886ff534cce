"""Screening one submitted answer: identity, fingerprint and bot verdict, from the request.

The rules are in collector/protection/verdicts.py and collector/access/identity.py (no Flask
there); this module only reads what they need from the request. ``POST /v1/responses`` and
the hosted pages call ``screen_submission`` so an answer gets the same verdict wherever it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import current_app, request

from collector.access.auth import caller_fingerprint
from collector.access.identity import IdentityError, check_identity
from collector.core.errors import APIError
from collector.core.extensions import db
from collector.protection.verdicts import (
    ACCEPTED,
    BROWSER_SOURCE,
    SERVER_SOURCE,
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
    verdict = judge(survey, print_, data.get("signals"), browser=browser,
                    identity_verified=bool(token), now=now,
                    repeats_allowed=bool((site.settings or {}).get("allow_repeat_answers")))
    return Screening(user_id, print_, verdict)


def judge(survey: Any, print_: str, signals: dict[str, Any] | None, *, browser: bool,
          identity_verified: bool, now: datetime, repeats_allowed: bool = False) -> Verdict:
    """The verdict for an answer to ``survey`` arriving with this request's user agent.
    ``repeats_allowed`` (the site setting ``allow_repeat_answers``, the demo's) turns the
    repeat-answer rule off; the burst rule still counts the site's answers."""
    if not _verdicts_enabled():
        return Verdict(ACCEPTED, ())
    history = (fingerprint_history(db.session, survey.site_id, survey.id, print_, now)
               if browser and not identity_verified else History())
    if repeats_allowed:
        history = replace(history, same_survey_recent=0)
    return assess_submission(
        Submission(source=BROWSER_SOURCE if browser else SERVER_SOURCE,
                   user_agent=request.headers.get("User-Agent"),
                   signals=Signals.from_dict(signals), identity_verified=identity_verified),
        history)


def _verdicts_enabled() -> bool:
    enabled = current_app.config.get("BOT_VERDICTS")
    # Unset: on, except for test apps, whose headless browsers would all be quarantined.
    return (not current_app.testing) if enabled is None else bool(enabled)
