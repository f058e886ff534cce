"""The one shape of every cursor-paged list: ``{"data", "has_more", "next_cursor"}``."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields


def page_schema(name: str, item: type[ma.Schema]) -> type[ma.Schema]:
    """A page of ``item``; ``name`` is the schema's name in the OpenAPI spec."""
    return type(name, (ma.Schema,), {
        "data": fields.List(fields.Nested(item)),
        "has_more": fields.Boolean(),
        "next_cursor": fields.String(allow_none=True,
                                     metadata={"description": "Pass as `cursor` for the next "
                                                              "page; null on the last"}),
    })
