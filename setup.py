"""The collector's build step: the wheel carries the gettext catalogs, compiled.

The catalogs' sources stay in the top-level ``locales/``; ``build_py`` copies each
``messages.po`` into ``collector/locales/`` of the build with its compiled ``messages.mo``,
through ``collector.languages.maintenance.package_catalogs`` (the same code ``make locales`` runs). That
module imports only Babel, which pyproject.toml's build-system requires. The built widget is
committed under ``collector/static/`` and needs no step (docs/deployment.md).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def _package_catalogs(target: Path) -> int:
    spec = importlib.util.spec_from_file_location("_tenpoint_catalogs",
                                                  ROOT / "collector" / "languages" / "maintenance.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("collector/languages/maintenance.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.package_catalogs(target, ROOT / "locales")


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        count = _package_catalogs(Path(self.build_lib) / "collector" / "locales")
        if count == 0:
            raise RuntimeError("no catalogs under locales/: the wheel would speak only English")


setup(cmdclass={"build_py": BuildWithCatalogs})
