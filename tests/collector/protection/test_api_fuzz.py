"""schemathesis against /openapi.json with all of its checks: no 500, and every status, header
and body as documented; with every key role, on SQLite and PostgreSQL. Bounded and
deterministic (fixed examples per operation and role, derandomized).

The operations are read from the spec when the tests are collected, one test per operation,
so endpoints added later are fuzzed too and a failure names its operation.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings

from collector import create_app
from tests.collector.protection.conftest import World, world
from tests.conftest import _truncate_all

# Bounded so the whole run (both databases, every role) stays under two minutes: the admin
# key reaches past authentication into every operation and gets the most examples; the other
# roles are mostly refused (their answers are still checked against the spec).
EXAMPLES = {"admin": 6, "secret": 2, "read": 2, "publishable": 2}
DATABASES = ("sqlite", "postgres")
# All checks with their defaults, but a schema-valid request must not get a 422: the document
# states every rule it can (cursor, group_by, property values, times, webhook URL patterns;
# docs/api-contract.md). A 422 stays acceptable only where the rule cannot be written in
# OpenAPI 3.0, operation by operation:
ACCEPTED = ["2xx", "400", "401", "403", "404", "409", "429"]
STATE_DEPENDENT_422 = {
    # A cursor must be one this API issued (its pattern and length are in the document).
    "GET /v1/audit", "GET /v1/followups", "GET /v1/invitations", "GET /v1/jobs",
    "GET /v1/responses", "GET /v1/exports/responses",
    # One of user_id or email (the document says so in words; OpenAPI 3.0 with nullable
    # fields cannot express "at least one of" that schemathesis honours).
    "POST /v1/people", "POST /v1/people/unsubscribe", "POST /v1/tickets", "POST /v1/triggers",
    # The signing secret a vendor needs depends on the vendor named in the same body.
    "POST /v1/integrations",
    # The webhook host must resolve, and only to public addresses (the SSRF guard).
    "POST /v1/webhooks",
    # The keys of `texts` are locale tags of 2 to 35 characters: a rule on property names,
    # which OpenAPI 3.0 cannot state (`propertyNames` came with 3.1).
    "POST /v1/surveys", "PATCH /v1/surveys/{key}",
    # remove_origins must name origins the site has, default_locale a language CLDR knows
    # (the origins' own form is in the document).
    "PATCH /v1/site",
}
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
    "operations": [{"include-name": label, "checks": {"positive_data_acceptance": {
        "expected-statuses": [*ACCEPTED, "422"]}}} for label in sorted(STATE_DEPENDENT_422)],
})


def _operation_labels() -> list[str]:
    # Only the spec is needed here: an in-memory database is never touched.
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "spec"})
    spec = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return sorted(result.ok().label for result in spec.get_all_operations())


@pytest.fixture(scope="module", params=DATABASES)
def fuzz_world(request: pytest.FixtureRequest, sqlite_template: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One site per database for the whole module (a world per test would cost more than
    the fuzzing). Bot verdicts on, rate limits off: a 429 for the fuzzer's own volume would
    hide the rest."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "fuzz-secret",
                      "PUBLIC_URL": "http://collector.test", "BOT_VERDICTS": True,
                      "RATE_LIMIT_ENABLED": False,
                      "RATE_LIMIT_PREFIX": f"tpfuzz-{uuid.uuid4().hex}"})
    fuzzed = world(app)
    spec = schemathesis.openapi.from_wsgi("/openapi.json", app, config=CONFIG)
    fuzzed.operations = {result.ok().label: result.ok()  # type: ignore[attr-defined]
                         for result in spec.get_all_operations()}
    yield fuzzed
    if request.param == "postgres":
        _truncate_all(url)


@pytest.mark.parametrize("role", list(EXAMPLES))
@pytest.mark.parametrize("label", _operation_labels())
def test_every_operation_answers_as_documented(fuzz_world: World, label: str,
                                               role: str) -> None:
    operation = fuzz_world.operations[label]  # type: ignore[attr-defined]
    headers = fuzz_world.keys.auth(role)

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES[role], derandomize=True, deadline=None,
              database=None, suppress_health_check=list(HealthCheck))
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers=headers)

    fuzz()


def test_every_api_operation_documents_the_errors_any_call_may_meet(app: Flask) -> None:
    spec = app.test_client().get("/openapi.json").json
    undocumented = [
        f"{method.upper()} {path} {status}"
        for path, operations in spec["paths"].items() if path.startswith("/v1/")
        for method, operation in operations.items() if method in {"get", "post", "patch", "delete"}
        for status in ("401", "403", "429") if status not in operation["responses"]
    ]
    assert undocumented == []
    release = spec["paths"]["/v1/responses/{response_id}/release"]["post"]["responses"]
    assert release["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
