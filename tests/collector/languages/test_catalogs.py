"""Every catalog is complete: translated, not fuzzy, same placeholders, right plural forms.

A plural form that serves exactly one number may name it in words instead of the
placeholder (Hebrew's "two" form: "בעוד יומיים", in two days)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages import checkers
from babel.messages.catalog import TranslationError
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from collector.languages.catalogs import available_locales, catalogs_dir
from collector.languages.maintenance import LOCALES, LOCALES_DIR, TEMPLATE, package_catalogs

PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\w*\}")
REQUIRED = {"ar", "he", "fa", "ur", "zh_Hans", "zh_Hant", "ja", "ko", "pt_BR", "pt_PT", "es",
            "es_419", "fr", "fr_CA", "de", "it", "nl", "sv", "da", "nb", "fi", "pl", "cs",
            "sk", "hu", "ro", "bg", "el", "ru", "uk", "tr", "id", "ms", "th", "vi", "hi", "bn",
            "hr", "sr", "sl", "et", "lv", "lt", "ca", "en"}


def load(locale: str):
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def template_ids() -> set[str]:
    with TEMPLATE.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def numbers_of_form(plural_expr: str, form: int) -> set[int]:
    """The whole numbers (up to 1000) that take plural form ``form``."""
    choose = gettext.c2py(plural_expr)
    return {n for n in range(1001) if choose(n) == form}


def test_at_least_forty_locales_including_every_named_one() -> None:
    present = set(available_locales())
    assert present >= REQUIRED, sorted(REQUIRED - present)
    assert len(present) >= 40
    assert set(LOCALES) == present


def test_the_package_carries_the_current_catalogs_compiled(tmp_path: Path) -> None:
    """Run `make locales` when this fails: collector/locales/ is older than locales/."""
    assert package_catalogs(tmp_path) == len(LOCALES)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("messages.*")}
    packaged = {p.relative_to(catalogs_dir()): p.read_bytes()
                for p in catalogs_dir().rglob("messages.*")}
    assert packaged == fresh


def test_the_template_holds_every_string_marked_in_the_source() -> None:
    """Run `make i18n` when this fails: a new `_()`/`N_()` string is not in the catalogs."""
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2),
                "lazy_gettext": None}
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = {message[2] if isinstance(message[2], str) else message[2][0]
             for message in extract_from_dir(str(Path(LOCALES_DIR).parent / "collector"),
                                             method_map, keywords=keywords)}
    assert found - template_ids() == set()


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_consistent(locale: str) -> None:
    catalog = load(locale)
    expected = template_ids()
    plural = get_plural(locale)
    assert catalog.num_plurals == plural.num_plurals
    assert f"plural={plural.plural_expr}" in catalog.plural_forms.replace(" ", "") or \
        catalog.plural_expr == plural.plural_expr
    problems: list[str] = []
    seen: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        seen.add(msgid)
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.pluralizable and len(strings) != plural.num_plurals:
            problems.append(f"{len(strings)} plural forms, {plural.num_plurals} needed: {msgid!r}")
        if not all(strings):
            problems.append(f"untranslated: {msgid!r}")
            continue
        source = placeholders(message.id if isinstance(message.id, str) else message.id[1])
        for form, text in enumerate(strings):
            if placeholders(text) != source and not (
                    message.pluralizable and placeholders(text) == []
                    and len(numbers_of_form(catalog.plural_expr, form)) == 1):
                problems.append(f"placeholders {placeholders(text)} != {source}: {msgid!r}")
        for checker in checkers.checkers:
            try:
                checker(catalog, message)
            except TranslationError as error:
                problems.append(f"{error}: {msgid!r}")
    problems.extend(f"missing: {msgid!r}" for msgid in sorted(expected - seen))
    assert problems == []


def test_english_catalog_is_the_source_itself() -> None:
    for message in load("en"):
        if message.id:
            assert message.string == message.id


@pytest.mark.parametrize("locale", sorted(set(LOCALES) - {"en"}))
def test_no_string_is_left_in_english(locale: str) -> None:
    """A translation equal to its English source is a string somebody forgot."""
    same = [m.id for m in load(locale) if m.id and isinstance(m.id, str) and m.string == m.id]
    assert same == []
