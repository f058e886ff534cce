"""Proof of work for a display: an ALTCHA challenge (the ``altcha`` package, its v1 scheme:
find ``n <= maxnumber`` with ``SHA-256(salt + n) == challenge``) handed out with the display
and solved by the browser before it answers (docs/protection.md, "Proof of work").

The salt is the display token's id, so a solution proves work for that one display and is
used once with it. The challenge's signature is an HMAC with a key derived from the
collector's ``SECRET_KEY``: the collector keeps no state between the challenge and the
answer. Pure functions: no Flask, no database; the clock is passed in.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from altcha import ChallengeOptionsV1, PayloadV1, create_challenge_v1, verify_solution_v1

OFF = "off"
ALWAYS = "always"
AUTOMATIC = "automatic"
MODES = (OFF, ALWAYS, AUTOMATIC)

# A browser tries half of this on average with crypto.subtle, in batches (widget.js);
# docs/protection.md has the measured times.
MAX_NUMBER = 50_000

# Automatic: a survey's answers in the last WINDOW against its usual rate in the day before.
WINDOW = timedelta(minutes=10)
BASELINE = timedelta(hours=24)
SURGE_FACTOR = 5
SURGE_MINIMUM = 30


def _key(secret: str) -> bytes:
    return hmac.digest(secret.encode(), b"tenpoint proof of work", "sha256")


def challenge_for(secret: str, token_id: str, *, max_number: int = MAX_NUMBER,
                  number: int | None = None) -> dict[str, Any]:
    """The challenge for the display whose token id is ``token_id`` (``number``: the
    secret answer, random unless a test gives it)."""
    made = create_challenge_v1(ChallengeOptionsV1(
        algorithm="SHA-256", max_number=max_number, hmac_key=_key(secret), salt=token_id,
        number=number))
    return made.to_dict()


def solved(secret: str, token_id: str | None, payload: str | None) -> bool:
    """Whether ``payload`` (the widget's base64 JSON) solves this display's challenge."""
    if not token_id or not payload or len(payload) > 1000:
        return False
    ok, _ = verify_solution_v1(payload, _key(secret), check_expires=False)
    if not ok:
        return False
    try:
        salt = PayloadV1.from_base64(payload).salt
    except (ValueError, KeyError, TypeError):
        return False
    return bool(salt == f"{token_id}&")


@dataclass(frozen=True)
class Rates:
    """Answers to one survey: in the last ``WINDOW``, and in the ``BASELINE`` before it."""

    recent: int
    baseline: int


def surging(rates: Rates) -> bool:
    """Automatic mode's rule: at least ``SURGE_MINIMUM`` answers in the last ten minutes and
    ``SURGE_FACTOR`` times the survey's usual ten minutes over the day before."""
    usual = rates.baseline / (BASELINE / WINDOW)
    return rates.recent >= SURGE_MINIMUM and rates.recent >= SURGE_FACTOR * usual


def required(mode: str | None, rates: Rates | None) -> bool:
    """Whether a display of a survey in ``mode`` gets a challenge."""
    if mode == ALWAYS:
        return True
    return mode == AUTOMATIC and rates is not None and surging(rates)


def window_since(now: datetime) -> tuple[datetime, datetime]:
    """Where the recent window and the baseline start."""
    return now - WINDOW, now - WINDOW - BASELINE
