"""Catalog maintenance:
``python -m collector.languages.maintenance extract|update|compile|fill FILE``.

``make i18n`` runs extract, update and compile; ``make locales`` (part of ``make run`` and
``make test``) only compiles: it copies every ``locales/<dir>/LC_MESSAGES/messages.po`` into the
package (``collector/locales/``, not in git) with its compiled ``messages.mo``, which is where
the running collector reads them (:func:`collector.languages.catalogs.catalogs_dir`).
Building the wheel does the same into the wheel (setup.py); this module imports only Babel,
so the build can load it.
``update`` also creates the catalog of any locale in ``LOCALES`` that has none yet and sets
every catalog's Plural-Forms from the installed Babel's CLDR. ``fill FILE`` writes translations
from a JSON file ``{"<locale dir>": {"<msgid>": "<msgstr>" | ["<plural form>", …]}}`` into the
``.po`` files, which stay the source of truth (docs/i18n.md).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from io import BytesIO
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES_DIR = ROOT / "locales"
TEMPLATE = LOCALES_DIR / "messages.pot"
PACKAGED_DIR = ROOT / "collector" / "locales"

# Catalog directory names are Babel identifiers; docs/i18n.md maps BCP 47 tags onto them.
LOCALES: tuple[str, ...] = (
    "en", "ar", "he", "fa", "ur", "zh_Hans", "zh_Hant", "ja", "ko", "pt_BR", "pt_PT", "es",
    "es_419", "fr", "fr_CA", "de", "it", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk", "hu",
    "ro", "bg", "el", "ru", "uk", "tr", "id", "ms", "th", "vi", "hi", "bn", "hr", "sr", "sl",
    "et", "lv", "lt", "ca",
)


def run(*argv: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *argv])


def po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


def extract() -> None:
    """Refresh messages.pot; left untouched when the strings did not change, so a no-op
    `make i18n` leaves no date-only diff in 46 files."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "messages.pot"
        run("extract", "-F", str(LOCALES_DIR / "babel.cfg"), "-k", "N_", "-k", "_",
            "-k", "gettext", "-k", "ngettext:1,2", "-k", "lazy_gettext", "--no-location",
            "--sort-output", "--no-wrap", "-o", str(fresh), "--project", "Tenpoint",
            "--version", "1", "--msgid-bugs-address", "i18n@tenpoint.invalid",
            "--copyright-holder", "Tenpoint", str(ROOT / "collector"))
        if not TEMPLATE.exists() or _entries(fresh) != _entries(TEMPLATE):
            shutil.copyfile(fresh, TEMPLATE)


def _entries(path: Path) -> list[tuple[object, ...]]:
    with path.open("rb") as handle:
        return [(m.id, tuple(sorted(m.flags)), m.context) for m in read_po(handle) if m.id]


def update() -> None:
    for locale in LOCALES:
        if not po_path(locale).exists():
            run("init", "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "-l", locale, "--no-wrap")
    run("update", "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "--no-fuzzy-matching",
        "--ignore-obsolete", "--no-wrap")
    _plural_forms_from_cldr()
    _english_is_the_source()


def _plural_forms_from_cldr() -> None:
    """Give every catalog the Plural-Forms of the installed (locked) Babel's CLDR; `pybabel
    update` keeps a catalog's old header. When the number of forms changes, each plural
    message keeps the forms it had (extra ones dropped, missing ones empty, so the catalog
    test names them until somebody translates them) and is marked fuzzy for review."""
    for locale in LOCALES:
        path = po_path(locale)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        plural = get_plural(locale)
        if (catalog.num_plurals, catalog.plural_expr) == (plural.num_plurals,
                                                          plural.plural_expr):
            continue
        changed_count = catalog.num_plurals != plural.num_plurals
        # Babel has no setter for these (and types them as the None they start as).
        catalog._num_plurals = plural.num_plurals  # type: ignore[assignment]
        catalog._plural_expr = plural.plural_expr  # type: ignore[assignment]
        for message in catalog:
            if message.id and message.pluralizable and changed_count:
                old = message.string if isinstance(message.string, tuple) else (message.string,)
                message.string = tuple((*old, *[""] * plural.num_plurals)[:plural.num_plurals])
                message.flags.add("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False, ignore_obsolete=True)


def _english_is_the_source() -> None:
    """The English catalog translates every msgid to itself, so it is complete as well."""
    path = po_path("en")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, ignore_obsolete=True)


def package_catalogs(target: Path, source: Path = LOCALES_DIR) -> int:
    """Copy every catalog under ``source`` into ``target`` with its compiled messages.mo;
    ``target`` then holds exactly those catalogs. Files are rewritten only when their bytes
    change. Returns the number of catalogs."""
    wanted: set[Path] = set()
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        relative = po.relative_to(source)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        compiled = BytesIO()
        write_mo(compiled, catalog)
        for path, data in ((relative, po.read_bytes()),
                           (relative.with_suffix(".mo"), compiled.getvalue())):
            wanted.add(path)
            _write_if_changed(target / path, data)
    for stale in target.glob("*/LC_MESSAGES/messages.*"):
        if stale.relative_to(target) not in wanted:
            stale.unlink()
    return len(wanted) // 2


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def compile_catalogs() -> None:
    count = package_catalogs(PACKAGED_DIR)
    sys.stdout.write(f"{count} catalogs compiled into {PACKAGED_DIR.relative_to(ROOT)}/\n")


def fill(source: str) -> None:
    """Write translations from a JSON file into the catalogs (overwriting, clearing fuzzy)."""
    data: dict[str, dict[str, str | list[str]]] = json.loads(Path(source).read_text("utf-8"))
    for locale, translations in data.items():
        path = po_path(locale)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for msgid, text in translations.items():
            message = next((m for m in catalog if m.id and (
                m.id == msgid or (isinstance(m.id, tuple) and m.id[0] == msgid))), None)
            if message is None:
                sys.stderr.write(f"{locale}: not in the catalog: {msgid!r}\n")
                continue
            message.string = tuple(text) if isinstance(text, list) else text
            message.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog, width=0, ignore_obsolete=True)


COMMANDS = {"extract": extract, "update": update, "compile": compile_catalogs}

if __name__ == "__main__":
    arguments = sys.argv[1:] or ["compile"]
    if arguments[0] == "fill":
        for path in arguments[1:]:
            fill(path)
    else:
        for name in arguments:
            COMMANDS[name]()
