"""The layering contracts (pyproject.toml, checked by `make lint`) cover the whole collector:
a new capability is forbidden to core, and a new domain module is held to "no Flask", unless
it is one of the named web adapters. Without this, a contract's list would silently miss
whatever was added after it was written."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTOR = ROOT / "collector"
# Modules that are not domain code though they are not views: they read the request or the
# app (the key check and CORS, rate limits, the request's fingerprint, Flask-Babel).
WEB_ADAPTERS = {"collector.access.auth", "collector.protection.rate_limits",
                "collector.protection.fingerprints", "collector.languages.localization"}
NOT_DOMAIN_NAMES = {"__init__", "views", "commands"}
NOT_DOMAIN_PACKAGES = {"core", "models", "migrations", "views"}


def contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}


def capabilities() -> set[str]:
    return {f"collector.{p.name}" for p in COLLECTOR.iterdir()
            if (p / "__init__.py").exists() and p.name not in {"core", "models", "migrations"}}


def domain_modules() -> set[str]:
    found = set()
    for path in COLLECTOR.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if len(parts) < 3 or path.stem in NOT_DOMAIN_NAMES or \
                NOT_DOMAIN_PACKAGES & set(parts[1:-1]):
            continue
        found.add(".".join(parts))
    return found - WEB_ADAPTERS


def test_core_and_the_models_are_forbidden_every_capability() -> None:
    contract = contracts()["core and the models import no capability"]
    assert set(contract["forbidden_modules"]) == capabilities()  # type: ignore[arg-type]


def test_every_domain_module_is_held_to_no_flask() -> None:
    contract = contracts()["domain modules import no Flask"]
    listed = set(contract["source_modules"])  # type: ignore[arg-type]
    assert listed == domain_modules(), {"missing": sorted(domain_modules() - listed),
                                        "gone": sorted(listed - domain_modules())}
