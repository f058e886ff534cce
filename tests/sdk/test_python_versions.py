"""The SDK on the oldest and newest Pythons it supports, against the live collector.

The SDK is its own package for Python 3.9 and newer with no dependencies: this runs a smoke
script under each interpreter found (pyenv's or on PATH) with only ``sdk_python`` importable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.sdk.conftest import Collector

SDK = Path(__file__).resolve().parents[2] / "sdk_python"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"

SMOKE = """
import sys, tenpoint
key, url = sys.argv[1], sys.argv[2]
with tenpoint.Client(key, base_url=url) as client:
    stored = client.responses.create("nps", 9, comment=sys.version[:4])
    assert [r["id"] for r in client.responses.list()] == [stored["id"]]
    decision = client.check("nps", user_id="u-1", email="a@example.com")
    assert decision.reason == "eligible", decision
    try:
        client.responses.create("nps", 11)
    except tenpoint.ValidationError as error:
        assert "score" in error.fields
    else:
        raise AssertionError("score 11 was accepted")
background = tenpoint.Client(key, base_url=url, background=True)
assert background.responses.create("nps", 3) is True
assert background.flush(10)
assert tenpoint.identity.sign("u-1", "secret").startswith("v1.")
"""


def _interpreter(version: str) -> str | None:
    for candidate in sorted(PYENV.glob(f"{version}.*/bin/python{version}")):
        return str(candidate)
    return shutil.which(f"python{version}")


@pytest.mark.parametrize("version", ["3.9", "3.13"])
def test_the_sdk_runs_on_supported_pythons(version: str, collector: Collector) -> None:
    python = _interpreter(version)
    if python is None:
        pytest.skip(f"no python{version} on this machine (pyenv or PATH)")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(SDK),
           "PYTHONNOUSERSITE": "1"}
    result = subprocess.run([python, "-s", "-c", SMOKE, collector.site.secret, collector.url],
                            capture_output=True, text=True, timeout=120, check=False, env=env)
    assert result.returncode == 0, result.stderr
    assert collector.stored_responses() == 2
