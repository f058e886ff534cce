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


Properties = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                         validate=bounded_properties)
