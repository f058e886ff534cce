"""An Idempotency-Key replays a request whose JSON is the same data, however it is written."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import SiteKeys


def _post(client: FlaskClient, site: SiteKeys, raw: str) -> object:
    return client.post("/v1/responses", data=raw,
                       headers={**site.auth("secret"), "Idempotency-Key": "k-1",
                                "Content-Type": "application/json"})


def test_the_same_json_with_keys_reordered_is_a_replay(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    first = _post(client, site, '{"survey": "nps", "score": 9, "properties": {"a": 1, "b": 2}}')
    again = _post(client, site, '{"properties":{"b":2,"a":1},"score":9,"survey":"nps"}')
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]


def test_other_data_under_the_same_key_is_a_409(
    client: FlaskClient, site: SiteKeys, survey: str
) -> None:
    assert _post(client, site, '{"survey": "nps", "score": 9}').status_code == 201
    changed = _post(client, site, '{"survey": "nps", "score": 8}')
    assert changed.status_code == 409
    assert changed.json["error"]["code"] == "idempotency_key_reused"
