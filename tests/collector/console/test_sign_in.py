"""Signing in to the console: read and admin keys only, never in a URL or cookie, CSRF
refused, revoked keys signed out; the old /report addresses lead to the console."""

from __future__ import annotations

from flask.testing import FlaskClient

from collector.access.keys import revoke_key
from collector.core.clock import now
from collector.core.extensions import db
from collector.models import ApiKey
from tests.collector.conftest import Stage
from tests.collector.console.conftest import SignIn

SCREENS = ("/console/", "/console/responses", "/console/followups", "/console/quarantine",
           "/console/surveys", "/console/surveys/nps")


def test_without_signing_in_every_screen_redirects_to_the_form(stage: Stage) -> None:
    client = stage.app.test_client()
    for path in SCREENS:
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["Location"].endswith(
            "/console/sign-in"), path
    form = client.get("/console/sign-in").get_data(as_text=True)
    assert 'type="password"' in form and "<script" not in form


def test_publishable_and_secret_keys_cannot_sign_in(stage: Stage) -> None:
    for raw in (stage.keys.publishable, stage.keys.secret, "rk_nope"):
        answer = stage.app.test_client().post("/console/sign-in", data={"key": raw})
        assert answer.status_code == 401 and "Set-Cookie" not in answer.headers


def test_the_key_is_never_in_a_url_or_the_cookie(stage: Stage) -> None:
    answer = stage.app.test_client().post("/console/sign-in", data={"key": stage.keys.read})
    cookie = answer.headers["Set-Cookie"]
    assert stage.keys.read not in cookie and stage.keys.read not in answer.headers["Location"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_sign_in_posted_from_another_site_is_refused(stage: Stage) -> None:
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        answer = stage.app.test_client().post("/console/sign-in",
                                              data={"key": stage.keys.read}, headers=headers)
        assert answer.status_code == 403 and "Set-Cookie" not in answer.headers


def test_every_screen_opens_for_read_and_admin_keys(sign_in: SignIn) -> None:
    for role in ("read", "admin"):
        client = sign_in(role)
        for path in SCREENS:
            answer = client.get(path)
            assert answer.status_code == 200, (role, path)
            html = answer.get_data(as_text=True)
            assert "<script" not in html and " style=" not in html, path


def test_read_keys_see_no_forms_but_sign_out(sign_in: SignIn, stage: Stage) -> None:
    client = sign_in("read")
    for path in SCREENS:
        html = client.get(path).get_data(as_text=True)
        assert html.count('method="post"') == 1, path  # only "Sign out"
    assert "read only" in client.get("/console/").get_data(as_text=True)


def test_security_headers_forbid_scripts_and_framing(sign_in: SignIn) -> None:
    answer = sign_in("read").get("/console/")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_revoked_key_is_signed_out(stage: Stage, sign_in: SignIn) -> None:
    client = sign_in("read")
    with stage.app.app_context():
        key = db.session.query(ApiKey).filter(ApiKey.role == "read").one()
        revoke_key(db.session, key, now())
        db.session.commit()
    assert client.get("/console/").status_code == 303


def test_sign_out_forgets_the_key(sign_in: SignIn) -> None:
    client = sign_in("admin")
    assert client.get("/console/").status_code == 200
    assert client.post("/console/sign-out").status_code == 303
    assert client.get("/console/").status_code == 303


def test_a_sign_out_posted_from_another_site_is_refused(sign_in: SignIn) -> None:
    client: FlaskClient = sign_in("admin")
    answer = client.post("/console/sign-out", headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert client.get("/console/").status_code == 200


def test_the_stylesheet_has_print_rules(stage: Stage) -> None:
    css = stage.app.test_client().get("/console/console.css")
    assert css.mimetype == "text/css" and "@media print" in css.get_data(as_text=True)


def test_the_old_report_addresses_lead_to_the_console(stage: Stage) -> None:
    client = stage.app.test_client()
    answer = client.get("/report?survey=nps&days=30")
    assert answer.status_code == 301
    assert answer.headers["Location"].endswith("/console/?survey=nps&days=30")
    posted = client.post("/report/sign-in", data={"key": stage.keys.read})
    assert posted.status_code == 308 and posted.headers["Location"].endswith("/console/sign-in")
    signed = client.post("/console/sign-in", data={"key": stage.keys.read})
    assert signed.headers["Location"].endswith("/console/")
