"""Webhooks never reach private, loopback or link-local addresses unless allowed."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from collector.core.extensions import db
from collector.delivery.http import UnsafeDestination, resolve
from collector.delivery.worker import Worker
from collector.models import Job, WebhookDelivery
from tests.factories import make_site, make_survey

REFUSED = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://172.16.5.5/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://[2002:7f00:1::]/hook",          # 6to4 of 127.0.0.1
    "http://[2002:a9fe:a9fe::]/hook",       # 6to4 of the cloud metadata address
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",  # Teredo, client 127.0.0.1
    "http://[fec0::1]/hook",                # site-local
    "http://[64:ff9b::7f00:1]/hook",        # NAT64 of 127.0.0.1
    "http://[::127.0.0.1]/hook",            # IPv4-compatible
    "http://[fd00::1]/hook",
    "http://[2001:db8::1]/hook",
    "http://192.0.0.8/hook",
    "http://192.0.0.170/hook",
    "http://198.18.0.1/hook",
    "http://192.0.2.1/hook",
    "http://240.0.0.1/hook",
    "http://255.255.255.255/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_destinations_are_refused(url):
    with pytest.raises(UnsafeDestination):
        resolve(url, allow_private=False)


def test_the_refusal_does_not_say_what_a_host_resolves_to():
    with pytest.raises(UnsafeDestination) as refused:
        resolve("http://localhost/hook", allow_private=False)
    assert "127.0.0.1" not in str(refused.value) and "::1" not in str(refused.value)


@pytest.mark.parametrize("url", ["http://[2002:5db8:d70e::1]/in",  # 6to4 of a public address
                                 "http://[2606:4700::1111]/in", "http://8.8.8.8/in"])
def test_public_addresses_stay_allowed(url):
    assert resolve(url, allow_private=False).addresses


def test_a_public_address_is_accepted_and_pinned():
    target = resolve("https://93.184.215.14:8443/in?x=1", allow_private=False)
    assert target.addresses == ("93.184.215.14",)
    assert (target.port, target.path) == (8443, "/in?x=1")


@pytest.mark.parametrize("url", ["ftp://example.com/x", "http://user:pw@93.184.215.14/",
                                 "/relative"])
def test_malformed_urls_are_refused(url):
    with pytest.raises(UnsafeDestination):
        resolve(url, allow_private=True)


def test_creating_an_endpoint_on_loopback_is_refused(client, site):
    answer = client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"},
                         headers=site.auth())
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "unsafe_webhook_url"
    assert answer.get_json()["error"]["field"] == "url"


def test_delivery_checks_the_address_again(make_app, sqlite_url, clock, receiver):
    """An endpoint accepted earlier is refused once its address is no longer allowed."""
    app = make_app(sqlite_url, WEBHOOK_ALLOW_PRIVATE=True, CLOCK=clock)
    with app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
    client = app.test_client()
    created = client.post("/v1/webhooks", json={"url": receiver.url,
                                                "events": ["response.created"]},
                          headers=site.auth())
    assert created.status_code == 201
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    client.post("/v1/responses", json={"survey": "nps", "score": 9}, headers=site.auth())
    with app.app_context():
        Worker(db.sessionmaker, clock, random.Random(1), "t").run_until_idle()
        attempt = db.session.scalars(select(WebhookDelivery)).one()
        job = db.session.scalars(select(Job).where(Job.kind == "webhook.deliver")).one()
    assert receiver.requests == []
    assert attempt.status_code is None and attempt.error.startswith("refused:")
    assert job.status == "queued"  # retried later, and dead if it stays refused
