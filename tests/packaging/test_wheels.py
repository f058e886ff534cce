"""Installed the way a deployer installs: from the wheels, in fresh virtualenvs, outside the
checkout, with the dependencies from the locks.

The collector's wheel is built from its sdist (so MANIFEST.in and setup.py's catalog step are
proven too), installed after requirements/deploy.lock with ``--no-deps``, and served by
``tenpoint serve``; the SDK's wheel goes into a virtualenv without Flask.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUIET_PIP = ["-m", "pip", "--quiet", "--disable-pip-version-check", "--no-input"]

pytestmark = pytest.mark.slow


def run(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 600) -> str:
    result = subprocess.run([str(part) for part in argv], cwd=cwd, env=env, text=True,
                            capture_output=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def build_wheel(source: Path, into: Path, cwd: Path) -> Path:
    """``python -m build`` with this virtualenv's locked setuptools, Babel and build."""
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", into, source, cwd=cwd)
    (wheel,) = into.glob("*.whl")
    return wheel


def fresh_virtualenv(path: Path, lock: Path, wheel: Path, cwd: Path) -> Path:
    """A new virtualenv holding the lock's packages (hashes checked), then the wheel alone."""
    run(sys.executable, "-m", "venv", path, cwd=cwd)
    python = path / "bin" / "python"
    run(python, *QUIET_PIP, "install", "--require-hashes", "-r", lock, cwd=cwd)
    run(python, *QUIET_PIP, "install", "--no-deps", wheel, cwd=cwd)
    return python


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(url: str, *, method: str = "GET", body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"tenpoint serve exited:\n{log.read_text()}")
        try:
            if call(f"{url}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("tenpoint serve did not answer /healthz within 60 s")


FRENCH = {"question": "Quelle est la probabilité que vous recommandiez Acme Cloud ?"}
ENGLISH = {"question": "How likely are you to recommend Acme Cloud?"}


def test_the_collector_wheel_installs_and_serves_outside_the_checkout(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    place = tmp_path_factory.mktemp("deployer")
    assert ROOT not in place.parents
    wheel = build_wheel(ROOT, place / "dist", cwd=place)
    python = fresh_virtualenv(place / "venv", ROOT / "requirements" / "deploy.lock", wheel,
                              cwd=place)
    tenpoint = python.parent / "tenpoint"
    port = free_port()
    env = {"PATH": f"{python.parent}:{os.environ.get('PATH', '')}", "HOME": str(place),
           "LANG": "C.UTF-8", "TENPOINT_INSTANCE_PATH": str(place / "instance"),
           "TENPOINT_DATABASE_URL": f"sqlite:///{place / 'tenpoint.db'}",
           "TENPOINT_PORT": str(port), "TENPOINT_WORKERS": "1"}
    version = run(tenpoint, "--version", cwd=place, env=env).split()[-1]
    keys = json.loads(run(tenpoint, "init", "--demo", "--json", cwd=place, env=env))

    log = place / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen([str(tenpoint), "serve"], cwd=place, env=env,
                                  stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server, log)
        status, _, body = call(f"{url}/healthz")
        assert json.loads(body) == {"status": "ok", "version": version}

        status, headers, body = call(f"{url}/widget.js")
        assert status == 200 and headers["Content-Type"].startswith("application/javascript")
        assert b"tenpoint" in body and len(body) > 5000

        secret = {"Authorization": f"Bearer {keys['secret_key']}"}
        survey = {"key": "bilingual", "name": "Bilingual NPS", "config": {
            "texts": {"en": ENGLISH, "fr": FRENCH}, "default_locale": "en",
            "rules": {"sample_rate": 1.0, "recontact_days": 0}}}
        status, _, body = call(f"{url}/v1/surveys", method="POST", body=survey, headers=secret)
        assert status == 201, body

        status, _, body = call(f"{url}/v1/eligibility", method="POST", headers={
            "Authorization": f"Bearer {keys['publishable_key']}",
            "Origin": f"http://127.0.0.1:{port}", "Accept-Language": "fr-FR,fr;q=0.9"},
            body={"survey": "bilingual", "anonymous_id": "anon-wheel-0001", "dry_run": True})
        answer = json.loads(body)
        assert status == 200 and answer["eligible"], answer
        shown = answer["survey"]
        assert shown["locale"] == "fr" and shown["texts"]["question"] == FRENCH["question"]
        assert shown["strings"]["submit"] == "Envoyer"  # from the packaged catalogs

        status, _, body = call(f"{url}/openapi.json")
        assert status == 200 and json.loads(body)["paths"]["/v1/eligibility"]

        status, _, body = call(f"{url}/v1/responses", method="POST", headers=secret,
                               body={"survey": "bilingual", "score": 9, "comment": "Très bien"})
        assert status == 201, body
        status, _, body = call(f"{url}/v1/responses", headers={
            "Authorization": f"Bearer {keys['read_key']}"})
        assert status == 200
        assert [(r["score"], r["comment"]) for r in json.loads(body)["data"]] == [
            (9, "Très bien")]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_sdk_wheel_imports_without_flask(tmp_path_factory: pytest.TempPathFactory) -> None:
    place = tmp_path_factory.mktemp("sdk-user")
    wheel = build_wheel(ROOT / "sdk_python", place / "dist", cwd=place)
    python = fresh_virtualenv(place / "venv", ROOT / "requirements" / "sdk.lock", wheel,
                              cwd=place)
    script = ("import importlib.metadata, importlib.util, tenpoint\n"
              "assert importlib.util.find_spec('flask') is None\n"
              "assert tenpoint.__version__ == importlib.metadata.version('tenpoint')\n"
              "print(tenpoint.__file__)")
    where = run(python, "-c", script, cwd=place, env={"PATH": os.environ.get("PATH", "")})
    assert Path(where.strip()).is_relative_to(place / "venv")
