"""Find English source strings left in a rendered page or email."""

from __future__ import annotations

import html
import re
from functools import cache

from babel.messages.pofile import read_po

from collector.languages.maintenance import TEMPLATE

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


@cache
def english_fragments() -> tuple[str, ...]:
    """The literal pieces of every msgid, long enough not to occur by chance."""
    with TEMPLATE.open("rb") as handle:
        catalog = read_po(handle)
    pieces: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        for msgid in (message.id,) if isinstance(message.id, str) else message.id:
            pieces.update(p.strip(" ,.!?:") for p in PLACEHOLDER.split(msgid))
    return tuple(sorted(p for p in pieces if len(p) >= 4))


def visible_text(markup: str) -> str:
    return html.unescape(TAG.sub(" ", markup))


# Words that are also the right word in that language (Norwegian "Send inn" is Norwegian).
SAME_IN = {"nb": {"Send"}, "da": {"Send"}}


def english_left(text: str, locale: str = "") -> list[str]:
    allowed = SAME_IN.get(locale, set())
    return [p for p in english_fragments() if p not in allowed
            and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
