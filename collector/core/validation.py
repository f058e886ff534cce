"""Validators every capability's schemas share: whole-string patterns and bounded amounts.

``FullMatch`` keeps the pattern in the OpenAPI document as written (``^…$``, which JSON Schema
reads as the whole string) but checks it with ``re.fullmatch``: Python's ``$`` also matches
before a final newline, so ``"product-nps\\n"`` passed ``^…$`` with ``re.match``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, validate

# The largest customer ``value`` (the weight of weighted NPS, docs/statistics.md). Its square
# is summed per category: 1e9 squared times a billion answers stays far inside a double.
MAX_VALUE = 1_000_000_000.0


class FullMatch(validate.Regexp):
    """``validate.Regexp`` that must match the whole string (no trailing newline)."""

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


VALUE_RANGE = validate.Range(min=0, max=MAX_VALUE,
                             error="Must be a number from {min} to {max}.")
