"""The console's sign-in behind a TLS-terminating proxy (TENPOINT_TRUSTED_PROXIES): the proxy's
X-Forwarded-Proto and -Host say the page's origin, and the cookie is Secure over HTTPS."""

from __future__ import annotations

from flask import Flask

from collector.core.extensions import db
from tests.factories import make_site

PROXIED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
           "X-Forwarded-Host": "nps.example.com"}


def _app(make_app, sqlite_url: str, **config: object) -> tuple[Flask, str]:
    app = make_app(sqlite_url, **config)
    with app.app_context():
        keys = make_site(db.session)
    return app, keys.read


def test_sign_in_works_behind_a_trusted_tls_proxy(make_app, sqlite_url: str) -> None:
    app, read = _app(make_app, sqlite_url, TRUSTED_PROXIES=1)
    # The proxy talks to the collector over plain http on a private address.
    answer = app.test_client().post(
        "/console/sign-in", data={"key": read}, base_url="http://10.0.0.5:5000",
        headers={**PROXIED, "Origin": "https://nps.example.com"})
    assert answer.status_code == 303
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_forwarded_headers_are_ignored_without_trusted_proxies(make_app,
                                                                sqlite_url: str) -> None:
    app, read = _app(make_app, sqlite_url)
    answer = app.test_client().post(
        "/console/sign-in", data={"key": read}, base_url="http://10.0.0.5:5000",
        headers={**PROXIED, "Origin": "https://nps.example.com"})
    assert answer.status_code == 403


def test_the_public_url_is_an_accepted_origin(make_app, sqlite_url: str) -> None:
    app, read = _app(make_app, sqlite_url, PUBLIC_URL="https://nps.example.com/")
    answer = app.test_client().post("/console/sign-in", data={"key": read},
                                    base_url="http://10.0.0.5:5000",
                                    headers={"Origin": "https://nps.example.com"})
    assert answer.status_code == 303
    assert "Secure" not in answer.headers["Set-Cookie"]  # served over plain http here


def test_a_cross_site_origin_is_still_refused_behind_the_proxy(make_app,
                                                                sqlite_url: str) -> None:
    app, read = _app(make_app, sqlite_url, TRUSTED_PROXIES=1)
    answer = app.test_client().post("/console/sign-in", data={"key": read},
                                    headers={**PROXIED, "Origin": "https://evil.example"})
    assert answer.status_code == 403


def test_demo_and_docs_send_csp_and_frame_protection(make_app, sqlite_url: str) -> None:
    app, _ = _app(make_app, sqlite_url)
    client = app.test_client()
    for path in ("/demo", "/docs"):
        page = client.get(path)
        assert page.status_code == 200
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Frame-Options"] == "DENY"
