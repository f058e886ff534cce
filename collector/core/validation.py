"""Validators every capability's schemas share: whole-string patterns and bounded amounts.

``FullMatch`` keeps the pattern in the OpenAPI document as written (``^…$``, which JSON Schema
reads as the whole string) but checks it with ``re.fullmatch``: Python's ``$`` also matches
before a final newline, so ``"product-nps\\n"`` passed ``^…$`` with ``re.match``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, cast

from marshmallow import ValidationError, fields, validate

# The largest customer ``value`` (the weight of weighted NPS, docs/statistics.md). Its square
# is summed per category: 1e9 squared times a billion answers stays far inside a double.
MAX_VALUE = 1_000_000_000.0


class FullMatch(validate.Regexp):
    """``validate.Regexp`` that must match the whole string (no trailing newline)."""

    def __call__(self, value: Any) -> Any:
        pattern = cast("re.Pattern[str]", self.regex)  # compiled from a str pattern
        if not isinstance(value, str) or pattern.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


# The largest id a row can have: primary keys are 32-bit INTEGER columns on PostgreSQL. An id
# from a path, a cursor or an identifier beyond it finds nothing; sent to PostgreSQL, it
# would overflow the parameter (a 500).
MAX_ID = 2**31 - 1


def id_in_range(ident: int) -> int:
    """``ident`` if a row could have it; ``ValueError`` otherwise (callers turn it into their
    "not found" or "invalid cursor")."""
    if not 0 <= ident <= MAX_ID:
        raise ValueError(f"id {ident} is out of range")
    return ident


# Times the API takes: anything a stored row or a filter could sensibly name. Beyond them,
# ``9999-12-31T23:59:59-14:00`` overflows when converted to UTC, and both databases' drivers
# fail on what is left (a 500).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
MOMENT_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-"


class Moment(fields.AwareDateTime):
    """An ISO 8601 time, read as UTC without an offset, converted to UTC, and between 1900 and
    2999: anything else is a 422 naming the field."""

    def __init__(self, **kwargs: Any) -> None:
        # The years in the document too (what JSON Schema can say of them: the year's digits;
        # an offset that carries a time over 1900 or 2999 in UTC is still a 422).
        metadata = {"pattern": MOMENT_PATTERN,
                    "description": "ISO 8601 time between 1900 and 2999 (UTC if no offset)",
                    **kwargs.pop("metadata", {})}
        super().__init__(default_timezone=UTC, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.astimezone(UTC)
        except OverflowError as error:
            raise ValidationError("This time is out of range (years 1900 to 2999).") from error
        if not EARLIEST <= moment <= LATEST:
            raise ValidationError("This time is out of range (years 1900 to 2999).")
        return moment


# Every cursor the API issues is URL-safe base64 without padding (``next_cursor``). The pattern
# and the length are what the OpenAPI document can say; that the cursor is one this API
# issued is checked when it is decoded (422 ``invalid_cursor``).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"


def Cursor() -> fields.String:
    """The ``cursor`` query argument of a paged list: ``next_cursor`` of the previous page."""
    return fields.String(
        validate=[validate.Length(1, 200),
                  FullMatch(CURSOR_PATTERN, error="A cursor is next_cursor of a previous page.")],
        metadata={"description": "next_cursor of the previous page, passed back unchanged "
                                 "(opaque; a cursor this API did not issue is a 422)"})


VALUE_RANGE = validate.Range(min=0, max=MAX_VALUE,
                             error="Must be a number from {min} to {max}.")
