"""Rate limits: per key, IP, fingerprint and site; shared through Redis; never a 500."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
import redis

from collector.protection.rate_limits import RateLimitConfigError, category_of, parse_limits
from tests.collector.protection.conftest import browser_headers, world


def _answer(survey: str = "nps", score: int = 9) -> str:
    return json.dumps({"survey": survey, "score": score})


def test_a_key_over_its_limit_gets_429_with_retry_after_and_the_error_envelope(
        protected) -> None:
    w = world(protected(RATE_LIMIT_ENABLED=True, RATE_LIMIT_ADMIN="key=3/minute"))
    client = w.app.test_client()
    remaining = []
    for _ in range(3):
        response = client.get("/v1/surveys", headers=w.keys.auth())
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        remaining.append(response.headers["RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    refused = client.get("/v1/surveys", headers=w.keys.auth())
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Remaining"] == "0"
    # Another key has its own count.
    assert client.get("/v1/surveys", headers=w.keys.auth("read")).status_code == 200


def test_browser_submits_are_limited_per_client_ip(protected) -> None:
    w = world(protected(RATE_LIMIT_ENABLED=True, RATE_LIMIT_SUBMIT="ip=2/minute"))
    client = w.app.test_client()
    url = f"/v1/responses?key={w.keys.publishable}"
    for agent in ("Mozilla/5.0 A", "Mozilla/5.0 B"):
        assert client.post(url, data=_answer(), headers=browser_headers(agent)).status_code == 201
    assert client.post(url, data=_answer(), headers=browser_headers("Mozilla/5.0 C")
                       ).status_code == 429
    other_ip = client.post(url, data=_answer(), headers=browser_headers(),
                           environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert other_ip.status_code == 201


def test_browser_submits_are_limited_per_fingerprint(protected) -> None:
    w = world(protected(RATE_LIMIT_ENABLED=True, RATE_LIMIT_SUBMIT="fingerprint=1/minute"))
    client = w.app.test_client()
    url = f"/v1/responses?key={w.keys.publishable}"
    assert client.post(url, data=_answer(), headers=browser_headers()).status_code == 201
    assert client.post(url, data=_answer(), headers=browser_headers()).status_code == 429
    # Same IP, another browser: another fingerprint.
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    assert client.post(url, data=_answer(), headers=browser_headers(firefox)).status_code == 201


def test_a_site_limit_counts_every_key_of_the_site(protected) -> None:
    w = world(protected(RATE_LIMIT_ENABLED=True, RATE_LIMIT_SUBMIT="site=2/minute"))
    client = w.app.test_client()
    body = {"survey": "nps", "score": 7}
    assert client.post("/v1/responses", json=body, headers=w.keys.auth()).status_code == 201
    assert client.post("/v1/responses", json=body, headers=w.keys.auth("admin")
                       ).status_code == 201
    assert client.post(f"/v1/responses?key={w.keys.publishable}", data=json.dumps(body),
                       headers=browser_headers()).status_code == 429


def test_backends_with_a_secret_key_are_not_limited_by_their_ip(protected) -> None:
    w = world(protected(RATE_LIMIT_ENABLED=True,
                        RATE_LIMIT_SUBMIT="ip=1/minute;fingerprint=1/minute;key=100/minute"))
    client = w.app.test_client()
    for score in (1, 2, 3):
        response = client.post("/v1/responses", json={"survey": "nps", "score": score},
                               headers=w.keys.auth())
        assert response.status_code == 201
    assert response.headers["RateLimit-Limit"] == "100"


def test_the_client_ip_comes_from_x_forwarded_for_only_behind_trusted_proxies(protected) -> None:
    for proxies, second_status in ((0, 429), (1, 201)):
        w = world(protected(RATE_LIMIT_ENABLED=True, RATE_LIMIT_SUBMIT="ip=1/minute",
                            TRUSTED_PROXIES=proxies))
        client = w.app.test_client()
        url = f"/v1/responses?key={w.keys.publishable}"
        statuses = [
            client.post(url, data=_answer(),
                        headers=browser_headers(**{"X-Forwarded-For": ip})).status_code
            for ip in ("203.0.113.1", "203.0.113.2")
        ]
        assert statuses == [201, second_status]


def test_a_forged_forwarded_chain_cannot_pick_the_ip_behind_one_trusted_proxy(protected) -> None:
    w = world(protected(RATE_LIMIT_ENABLED=True, RATE_LIMIT_SUBMIT="ip=1/minute",
                        TRUSTED_PROXIES=1))
    client = w.app.test_client()
    url = f"/v1/responses?key={w.keys.publishable}"
    # The proxy appends the real client; whatever the client wrote before it is ignored.
    first = client.post(url, data=_answer(),
                        headers=browser_headers(**{"X-Forwarded-For": "1.1.1.1, 203.0.113.9"}))
    second = client.post(url, data=_answer(),
                         headers=browser_headers(**{"X-Forwarded-For": "2.2.2.2, 203.0.113.9"}))
    assert (first.status_code, second.status_code) == (201, 429)


def test_two_collectors_sharing_redis_enforce_one_limit_together(
        protected, redis_url: str, sqlite_url: str) -> None:
    prefix = f"tptest-{uuid.uuid4().hex}"
    settings = {"RATE_LIMIT_ENABLED": True, "RATE_LIMIT_ADMIN": "key=4/minute",
                "REDIS_URL": redis_url, "RATE_LIMIT_PREFIX": prefix}
    first = world(protected(**settings))
    second = protected(**settings)  # same database, so the same keys
    clients = [first.app.test_client(), second.test_client()]
    statuses = [clients[i % 2].get("/v1/surveys", headers=first.keys.auth()).status_code
                for i in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]
    shared = redis.Redis.from_url(redis_url)
    assert shared.keys(f"{prefix}*")
    shared.delete(*shared.keys(f"{prefix}*"))


def test_redis_stopping_mid_way_falls_back_to_process_limits_without_a_500(
        protected, private_redis, tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    prefix = f"tptest-{uuid.uuid4().hex}"
    w = world(protected(RATE_LIMIT_ENABLED=True, RATE_LIMIT_ADMIN="key=5/minute",
                        REDIS_URL=private_redis.url, RATE_LIMIT_PREFIX=prefix,
                        RATE_LIMIT_REDIS_RETRY=0))
    client = w.app.test_client()
    get = lambda: client.get("/v1/surveys", headers=w.keys.auth())  # noqa: E731
    assert [get().status_code for _ in range(2)] == [200, 200]
    assert redis.Redis(port=private_redis.port).keys(f"{prefix}*")

    private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="collector.protection.rate_limits"):
        statuses = [get().status_code for _ in range(7)]
    # Memory counts from zero: five more pass, then the process's own limit holds.
    assert statuses == [200] * 5 + [429] * 2
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1  # one warning per outage, not one per request

    private_redis.start(tmp_path)
    assert get().status_code == 200
    assert redis.Redis(port=private_redis.port).keys(f"{prefix}*")


def test_rate_limits_are_off_in_test_apps_unless_switched_on(protected) -> None:
    w = world(protected(RATE_LIMIT_ADMIN="key=1/minute"))
    client = w.app.test_client()
    assert [client.get("/v1/surveys", headers=w.keys.auth()).status_code
            for _ in range(3)] == [200, 200, 200]


def test_limit_settings_are_parsed_and_typos_refused() -> None:
    limits = parse_limits("ip=60/minute; fingerprint=10 per hour")
    assert {scope: (item.amount, item.get_expiry()) for scope, item in limits.items()} == {
        "ip": (60, 60), "fingerprint": (10, 3600)}
    assert parse_limits("off") == {}
    for bad in ("ip=lots", "person=1/minute", "60/minute"):
        with pytest.raises(RateLimitConfigError):
            parse_limits(bad)


@pytest.mark.parametrize(("method", "path", "category"), [
    ("POST", "/v1/eligibility", "eligibility"),
    ("POST", "/v1/declines", "eligibility"),
    ("POST", "/v1/responses", "submit"),
    ("PATCH", "/v1/responses/12", "submit"),
    ("POST", "/s/abc", "submit"),
    ("GET", "/s/abc", None),
    ("POST", "/v1/tickets", "tickets"),
    ("GET", "/v1/responses", "admin"),
    ("POST", "/v1/responses/12/release", "admin"),
    ("POST", "/v1/keys", "admin"),
    ("GET", "/delighted/v1/metrics.json", "admin"),
    ("OPTIONS", "/v1/responses", None),
    ("GET", "/widget.js", None),
    ("GET", "/healthz", None),
])
def test_each_endpoint_falls_in_one_category(method: str, path: str, category: str | None) -> None:
    assert category_of(method, path) == category
