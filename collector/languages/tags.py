"""BCP 47 language tags, parsed and matched with Babel (CLDR data), never raising.

A tag becomes a *fallback chain* of Babel identifiers, most specific first, following CLDR's
parent locales: ``pt-AO`` -> ``pt_AO``, ``pt_PT``, ``pt``; ``es-MX`` -> ``es_MX``, ``es_419``,
``es``; ``zh-TW`` -> ``zh_Hant_TW``, ``zh_Hant`` (Traditional Chinese never falls back to
``zh``, which means Simplified). Two tags match when the first identifier of one appears in
the chain of the other.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global

# Languages whose script changes what a reader can read; only for them does the script take
# part in matching (``sr-Latn`` is not ``sr``, which CLDR writes in Cyrillic).
SCRIPT_SENSITIVE = frozenset({"zh", "sr", "bs", "uz", "az", "pa", "mn"})
# Tags Babel parses but a catalog directory would spell differently.
ALIASES = {"no": "nb", "iw": "he", "in": "id", "ji": "yi", "tl": "fil", "zh_Hans_CN": "zh_CN"}
_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*\Z")


def _default_script(language: str) -> str | None:
    likely = get_global("likely_subtags").get(language)
    if not likely:
        return None
    parts = likely.split("_")
    return parts[1] if len(parts) > 2 else None


# Bounded: tags come from request headers, which anybody can fill with anything.
@lru_cache(maxsize=4096)
def parse_tag(tag: str | None) -> Locale | None:
    """A Babel Locale for a BCP 47 tag (``pt-BR``, ``zh_Hant``, ``es-419``), or ``None`` when
    the tag is malformed, private-use or unknown to CLDR. Never raises."""
    if not isinstance(tag, str):
        return None
    tag = tag.strip()
    if not _TAG.match(tag) or tag.lower() in {"und", "c", "posix", "root"}:
        return None
    parts = re.split(r"[-_]", tag)
    # Drop variants and extensions (``de-CH-1996``, ``en-US-u-ca-gregory``): Babel knows
    # language, script and territory, and those are all a catalog can differ by.
    kept = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 1:
            break
        if len(part) == 4 and part.isalpha():
            kept.append(part.title())
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            kept.append(part.upper())
    kept[0] = ALIASES.get(kept[0], kept[0])
    for attempt in ("_".join(kept), kept[0]):
        try:
            return Locale.parse(attempt)
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    return None


def identifier(locale: Locale) -> str:
    """The identifier a chain starts with: script only where it matters for reading."""
    language, script, territory = locale.language, locale.script, locale.territory
    sensitive = language in SCRIPT_SENSITIVE
    script = (script or _likely_script(language, territory)) if sensitive else None
    return "_".join(part for part in (language, script, territory) if part)


def _likely_script(language: str, territory: str | None) -> str | None:
    if territory:
        likely = get_global("likely_subtags").get(f"{language}_{territory}")
        if likely and len(likely.split("_")) > 2:
            return likely.split("_")[1]
    return _default_script(language)


@lru_cache(maxsize=4096)
def parent_chain(tag: str | None) -> tuple[str, ...]:
    """The tag's identifier and its CLDR ancestors only (``es_MX``, ``es_419``, ``es``)."""
    chain = fallback_chain(tag)
    return chain[:-1] if chain and chain[-1] in _siblings(chain) else chain


def _siblings(chain: tuple[str, ...]) -> set[str]:
    return {chain[-1]} if len(chain) > 1 and "_" in chain[-1] and "_" not in chain[-2] else set()


@lru_cache(maxsize=4096)
def fallback_chain(tag: str | None) -> tuple[str, ...]:
    """Babel identifiers to try for ``tag``, most specific first; empty when malformed.

    CLDR's parents first (``es_MX``, ``es_419``, ``es``), then the language's likely region
    (``es_ES``)."""
    locale = parse_tag(tag)
    if locale is None:
        return ()
    chain = [identifier(locale)]
    parents = get_global("parent_exceptions")
    while True:
        current = chain[-1]
        parent = parents.get(current)
        if parent is None:
            parent = current.rsplit("_", 1)[0] if "_" in current else None
            # A non-default script stops the walk: zh_Hant is not a kind of zh (Simplified).
            language = current.split("_")[0]
            if parent == language and len(current.split("_")) == 2:
                script = current.split("_")[1]
                if len(script) == 4 and script != _default_script(language):
                    parent = None
        if parent is None or parent == "root" or parent in chain:
            break
        chain.append(parent)
    # Same language, the likely region, before another language: a pt reader is served by
    # pt-BR texts, a pt-PT reader by pt-BR ones when the survey has no other Portuguese.
    if "_" not in chain[-1]:
        likely = parse_tag(get_global("likely_subtags").get(chain[-1]))
        if likely is not None and identifier(likely) not in chain:
            chain.append(identifier(likely))
    return tuple(chain)


def to_bcp47(ident: str) -> str:
    """``zh_Hant_TW`` -> ``zh-Hant-TW``; ``PT_br`` -> ``pt-BR`` (BCP 47 casing)."""
    parts = re.split(r"[-_]", ident)
    cased = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            cased.append(part.title())
        elif len(part) == 2 or (len(part) == 3 and part.isdigit()):
            cased.append(part.upper())
        else:
            cased.append(part.lower())
    return "-".join(cased)


def matches(offered: str, chain: tuple[str, ...]) -> bool:
    """Does the offered tag (a catalog or a survey's text key) serve a reader with ``chain``?"""
    offered_chain = fallback_chain(offered)
    return bool(offered_chain) and offered_chain[0] in chain
