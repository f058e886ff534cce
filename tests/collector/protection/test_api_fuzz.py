"""schemathesis against /openapi.json with all of its checks: no 500, and every status, header
and body as documented. Bounded and deterministic (fixed examples per operation, derandomized).

The operations are read from the spec when the tests are collected, one test per operation,
so endpoints added later are fuzzed too and a failure names its operation.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from collector import create_app
from tests.collector.protection.conftest import World, world

EXAMPLES_PER_OPERATION = 20
# All checks, each with its defaults but one: rules JSON Schema cannot state (one of
# user_id/email, an opaque cursor that must be ours, a survey that must exist) answer 422
# with the field at fault, so a schema-valid request may be refused with 422 (or 400).
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"checks": {
    "positive_data_acceptance": {"expected-statuses": [
        "2xx", "400", "401", "403", "404", "409", "422", "429"]}}})


def _operation_labels() -> list[str]:
    # Only the spec is needed here: an in-memory database is never touched.
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "spec"})
    spec = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return sorted(result.ok().label for result in spec.get_all_operations())


@pytest.fixture
def fuzz_world(protected) -> World:
    # Bot verdicts on, rate limits off: a 429 for the fuzzer's own volume would hide the rest.
    return world(protected())


@pytest.mark.parametrize("label", _operation_labels())
def test_every_operation_answers_as_documented(fuzz_world: World, label: str) -> None:
    spec = schemathesis.openapi.from_wsgi("/openapi.json", fuzz_world.app, config=CONFIG)
    operation = next(result.ok() for result in spec.get_all_operations()
                     if result.ok().label == label)
    # The admin key may call everything, so the fuzzer reaches past authentication.
    headers = fuzz_world.keys.auth("admin")

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
              database=None, suppress_health_check=list(HealthCheck))
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers=headers)

    fuzz()


def test_every_api_operation_documents_the_errors_any_call_may_meet(fuzz_world: World) -> None:
    spec = fuzz_world.app.test_client().get("/openapi.json").json
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
