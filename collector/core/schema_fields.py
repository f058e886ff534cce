"""Schema fields several capabilities accept alike: a person's or an answer's properties."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

MAX_PROPERTIES = 50


def bounded_properties(value: dict[str, object]) -> None:
    if len(value) > MAX_PROPERTIES:
        raise ma.ValidationError(f"At most {MAX_PROPERTIES} properties.")
    for key, item in value.items():
        if len(key) > 100:
            raise ma.ValidationError("Property names are at most 100 characters.")
        if not (item is None or isinstance(item, str | int | float | bool)):
            raise ma.ValidationError(f"Property {key!r} must be a string, number or boolean.")
        if isinstance(item, str) and len(item) > 500:
            raise ma.ValidationError(f"Property {key!r} is longer than 500 characters.")


def properties_field() -> fields.Dict:
    """A fresh ``Properties`` field (a field instance is bound to one schema)."""
    return fields.Dict(
        keys=fields.String(), validate=bounded_properties,
        values=fields.Raw(allow_none=True, metadata={"anyOf": PROPERTY_VALUE}),
        metadata={"maxProperties": MAX_PROPERTIES, "description": PROPERTIES_HELP})


PROPERTY_VALUE = [{"type": "string", "maxLength": 500}, {"type": "number"}, {"type": "boolean"}]
PROPERTIES_HELP = ("At most 50 properties; names of at most 100 characters; each value a "
                   "string (at most 500 characters), a number, a boolean or null")

# The document says what bounded_properties checks: at most 50 names of at most 100
# characters, each value a string of at most 500 characters, a number, a boolean or null.
Properties = properties_field()
