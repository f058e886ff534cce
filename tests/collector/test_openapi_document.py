"""The API's published shape changes only on purpose: /openapi.json equals docs/openapi.json.

A change to an endpoint, a schema or an error that alters the document fails here; when the
change is intended, refresh the stored copy with `make openapi` and commit it with the change,
so the diff shows every client what moved."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

STORED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def differences(stored: object, served: object, path: str = "$") -> list[str]:
    if isinstance(stored, dict) and isinstance(served, dict):
        found = [f"{path}.{key}: only in the stored copy" for key in stored.keys() - served.keys()]
        found += [f"{path}.{key}: only in /openapi.json" for key in served.keys() - stored.keys()]
        for key in stored.keys() & served.keys():
            found += differences(stored[key], served[key], f"{path}.{key}")
        return found
    if isinstance(stored, list) and isinstance(served, list) and len(stored) == len(served):
        return [line for index, (a, b) in enumerate(zip(stored, served, strict=True))
                for line in differences(a, b, f"{path}[{index}]")]
    return [] if stored == served else [f"{path}: {stored!r} != {served!r}"]


def test_the_served_openapi_document_equals_the_stored_copy(app: Flask) -> None:
    served = app.test_client().get("/openapi.json").get_json()
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    found = differences(stored, served)
    assert not found, "run `make openapi` if intended:\n" + "\n".join(sorted(found)[:40])


def test_the_comparison_names_what_changed() -> None:
    before = {"paths": {"/v1/a": {"get": {"summary": "A"}}}, "tags": [{"name": "a"}]}
    after = {"paths": {"/v1/a": {"get": {"summary": "B"}}, "/v1/b": {}}, "tags": [{"name": "a"}]}
    assert differences(before, after) == [
        "$.paths./v1/b: only in /openapi.json", "$.paths./v1/a.get.summary: 'A' != 'B'"]
