"""/report: signed in with a read or admin key, escaped, without JavaScript, localised."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from collector.access.keys import revoke_key
from collector.core.clock import now
from collector.core.extensions import db
from collector.models import ApiKey
from tests.collector.conftest import Stage


def _sign_in(stage: Stage, role: str = "read") -> FlaskClient:
    client = stage.app.test_client()
    answer = client.post("/report/sign-in", data={"key": getattr(stage.keys, role)})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/report")
    return client


def _recent(stage: Stage, score: int, days_ago: float = 1, **fields: object) -> None:
    stage.add(score, at=now() - timedelta(days=days_ago), **fields)  # type: ignore[arg-type]


def test_without_signing_in_the_report_redirects_to_the_form(stage: Stage) -> None:
    answer = stage.app.test_client().get("/report")
    assert answer.status_code == 303 and "/report/sign-in" in answer.headers["Location"]
    form = stage.app.test_client().get("/report/sign-in").get_data(as_text=True)
    assert 'type="password"' in form and "<script" not in form


def test_publishable_and_secret_keys_cannot_sign_in(stage: Stage) -> None:
    for role in ("publishable", "secret"):
        answer = stage.app.test_client().post("/report/sign-in",
                                              data={"key": getattr(stage.keys, role)})
        assert answer.status_code == 401
    assert stage.app.test_client().post("/report/sign-in",
                                        data={"key": "rk_nope"}).status_code == 401


def test_the_key_is_never_in_a_url_or_the_cookie(stage: Stage) -> None:
    client = stage.app.test_client()
    answer = client.post("/report/sign-in", data={"key": stage.keys.read})
    cookie = answer.headers["Set-Cookie"]
    assert stage.keys.read not in cookie and stage.keys.read not in answer.headers["Location"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_report_shows_score_interval_distribution_and_touchpoints(stage: Stage) -> None:
    for score, touchpoint in ((10, "checkout"), (9, "checkout"), (8, "support"),
                              (2, "support")):
        _recent(stage, score, touchpoint=touchpoint)
    _recent(stage, 0, verdict="quarantined")
    page = _sign_in(stage).get("/report", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<p class="nps">25</p>' in html
    assert "95% interval" in html and "<svg" in html and 'class="band' in html
    assert "checkout" in html and "support" in html
    assert re.search(r"Quarantined answers.*?<dd>1</dd>", html, re.S)
    assert "<script" not in html


def test_comments_are_escaped(stage: Stage) -> None:
    _recent(stage, 2, comment='<script>alert("x")</script> & <b>bold</b>')
    html = _sign_in(stage).get("/report").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_security_headers_forbid_scripts(stage: Stage) -> None:
    answer = _sign_in(stage).get("/report")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"


def test_numbers_and_dates_follow_the_viewers_locale(stage: Stage) -> None:
    _recent(stage, 10, comment="gut")
    german = _sign_in(stage).get("/report", headers={"Accept-Language": "de-DE,de;q=0.9"})
    html = german.get_data(as_text=True)
    assert "100\xa0%" in html  # German puts a (no-break) space before the percent sign
    assert re.search(r"<small>\d{1,2}\.\d{1,2}\.\d{4}</small>", html)  # 21.11.2026
    english = _sign_in(stage).get("/report?locale=en").get_data(as_text=True)
    assert "100%" in english and re.search(r"<small>[A-Z][a-z]{2} \d{1,2}, \d{4}</small>", english)


def test_a_revoked_key_is_signed_out(stage: Stage) -> None:
    client = _sign_in(stage)
    with stage.app.app_context():
        key = db.session.query(ApiKey).filter(ApiKey.role == "read").one()
        revoke_key(db.session, key, now())
        db.session.commit()
    assert client.get("/report").status_code == 303


def test_sign_out_forgets_the_key(stage: Stage) -> None:
    client = _sign_in(stage, "admin")
    assert client.get("/report").status_code == 200
    assert client.post("/report/sign-out").status_code == 303
    assert client.get("/report").status_code == 303


def test_the_stylesheet_has_print_rules(stage: Stage) -> None:
    css = stage.app.test_client().get("/report/report.css")
    assert css.mimetype == "text/css" and "@media print" in css.get_data(as_text=True)


def test_a_sign_in_posted_from_another_site_is_refused(stage: Stage) -> None:
    answer = stage.app.test_client().post("/report/sign-in", data={"key": stage.keys.read},
                                          headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403 and "Set-Cookie" not in answer.headers
