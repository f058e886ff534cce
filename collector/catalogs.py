"""Catalog maintenance: ``python -m collector.catalogs extract|update|compile``.

One make target (``make locales``) compiles; ``extract`` and ``update`` refresh the template
and every locale's ``messages.po`` from the source strings.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATE = LOCALES / "messages.pot"


def run(*argv: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *argv])


def extract() -> None:
    run("extract", "-F", str(LOCALES / "babel.cfg"), "-k", "N_", "-k", "_", "-k", "gettext",
        "-k", "ngettext:1,2", "--no-location", "--sort-output", "-o", str(TEMPLATE),
        "--project", "Tenpoint", str(ROOT / "collector"))


def update() -> None:
    if any(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        run("update", "-i", str(TEMPLATE), "-d", str(LOCALES), "--no-fuzzy-matching")


def compile_catalogs() -> None:
    if any(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        run("compile", "-d", str(LOCALES), "--statistics")


COMMANDS = {"extract": extract, "update": update, "compile": compile_catalogs}

if __name__ == "__main__":
    for name in sys.argv[1:] or ["compile"]:
        COMMANDS[name]()
