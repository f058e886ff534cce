"""/s/<token>: the hosted survey page, without JavaScript (a plain form) and its rules."""

from __future__ import annotations

import re

from collector.core.extensions import db
from collector.models import Invitation, Person

FOLLOW_UP = "What do you love?"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def display_of(html: str) -> str:
    found = re.search(r'name="display" value="([^"]+)"', html)
    assert found
    return found.group(1)


def responses(client, site):
    return client.get("/v1/responses", headers=site.auth("read")).json["data"]


def test_a_get_with_a_score_preselects_it_and_records_nothing(client, site, invite) -> None:
    invited = invite()
    page = client.get(f"/s/{invited.token}?score=9")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="9" checked' in html
    assert "data-preselected" in html
    assert responses(client, site) == []


def test_posting_the_score_then_the_comment(app, client, site, invite) -> None:
    invited = invite()
    html = client.get(f"/s/{invited.token}").get_data(as_text=True)
    scored = client.post(f"/s/{invited.token}", data={"csrf": csrf_of(html), "score": "10"})
    assert scored.status_code == 200
    assert FOLLOW_UP in scored.get_data(as_text=True)
    stored = responses(client, site)
    assert [(r["score"], r["channel"], r["comment"]) for r in stored] == [(10, "email", None)]
    more = scored.get_data(as_text=True)
    thanks = client.post(f"/s/{invited.token}/more",
                         data={"csrf": csrf_of(more), "comment": "Love it"})
    assert thanks.status_code == 200
    assert "Thank you for your feedback!" in thanks.get_data(as_text=True)
    assert responses(client, site)[0]["comment"] == "Love it"
    with app.app_context():
        assert db.session.get(Invitation, invited.invitation_id).status == "answered"


def test_a_used_link_says_already_answered_not_an_error(client, site, invite) -> None:
    invited = invite()
    html = client.get(f"/s/{invited.token}").get_data(as_text=True)
    client.post(f"/s/{invited.token}", data={"csrf": csrf_of(html), "score": "4"})
    again = client.get(f"/s/{invited.token}")
    assert again.status_code == 200
    assert "You have already answered this survey. Thank you!" in again.get_data(as_text=True)
    # A second tab posting the same form stores nothing more: single use.
    twice = client.post(f"/s/{invited.token}", data={"csrf": csrf_of(html), "score": "9"})
    assert "already answered" in twice.get_data(as_text=True)
    assert [r["score"] for r in responses(client, site)] == [4]


def test_the_already_answered_page_speaks_the_persons_language(client, site, invite) -> None:
    invited = invite(locale="fr")
    with client.application.app_context():
        db.session.get(Invitation, invited.invitation_id).status = "answered"
        db.session.commit()
    page = client.get(f"/s/{invited.token}").get_data(as_text=True)
    assert 'lang="fr"' in page
    from collector.languages.catalogs import translations_for

    expected = translations_for("fr").gettext("You have already answered this survey. Thank you!")
    assert expected in page.replace("&#39;", "'")


def test_unknown_and_expired_links(make_app, sqlite_url, clock) -> None:
    from tests.collector.hosted.conftest import make_invitation
    from tests.factories import make_site, make_survey

    app = make_app(sqlite_url, CLOCK=clock)
    with app.app_context():
        site = make_site(db.session)
        make_survey(db.session, site.site_id)
    client = app.test_client()
    assert client.get("/s/not-a-real-token").status_code == 404
    invited = make_invitation(app, site.site_id)
    assert client.get(f"/s/{invited.token}").status_code == 200
    clock.advance(days=31)
    expired = client.get(f"/s/{invited.token}")
    assert expired.status_code == 410
    assert "This survey link has expired." in expired.get_data(as_text=True)


def test_a_post_without_the_page_token_is_refused(client, site, invite) -> None:
    invited = invite()
    forged = client.post(f"/s/{invited.token}", data={"csrf": "forged", "score": "0"})
    assert forged.status_code == 422
    other = invite(email="someone@example.com")
    other_csrf = csrf_of(client.get(f"/s/{other.token}").get_data(as_text=True))
    crossed = client.post(f"/s/{invited.token}", data={"csrf": other_csrf, "score": "0"})
    assert crossed.status_code == 422
    assert responses(client, site) == []


def test_security_headers(client, invite) -> None:
    invited = invite()
    page = client.get(f"/s/{invited.token}")
    csp = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in page.get_data(as_text=True)
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True)
    second = client.get(f"/s/{invited.token}").headers["Content-Security-Policy"]
    assert second != csp  # a fresh nonce per response


def test_unsubscribe_asks_on_get_and_acts_on_post(app, client, site, invite) -> None:
    from collector.people.unsubscribe import unsubscribe_token

    invited = invite()
    token = unsubscribe_token(app.config["SECRET_KEY"], invited.person_id)
    asked = client.get(f"/u/{token}")
    assert asked.status_code == 200
    with app.app_context():
        assert db.session.get(Person, invited.person_id).unsubscribed_at is None
    done = client.post(f"/u/{token}", data="List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200
    with app.app_context():
        assert db.session.get(Person, invited.person_id).unsubscribed_at is not None
    assert client.post(f"/u/{token}x").status_code == 404


def test_hosted_answers_get_the_same_bot_screening_as_the_api(app, client, site, invite,
                                                              clock) -> None:
    """A mail scanner or a filled honeypot is kept but quarantined; a browser is accepted."""
    app.config.update(BOT_VERDICTS=True, CLOCK=clock)
    browser = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
               "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
    cases = [({"User-Agent": browser}, {}, "accepted"),
             ({"User-Agent": browser}, {"website": "http://spam.example"}, "quarantined"),
             ({"User-Agent": "python-requests/2.31.0"}, {}, "quarantined")]
    for headers, extra, _ in cases:
        invited = invite(email=f"p{len(extra)}{headers['User-Agent'][:6]}@example.com")
        html = client.get(f"/s/{invited.token}", headers=headers).get_data(as_text=True)
        clock.advance(seconds=4)  # reading the question
        client.post(f"/s/{invited.token}", headers=headers,
                    data={"csrf": csrf_of(html), "display": display_of(html), "score": "9",
                          **extra})
    stored = client.get("/v1/responses", headers=site.auth("read")).json["data"]
    assert [r["verdict"] for r in reversed(stored)] == [c[2] for c in cases]
    assert "honeypot" in stored[1]["verdict_reasons"]


def test_the_unsubscribe_page_never_claims_a_language_it_cannot_speak(app, client, invite) -> None:
    from collector.people.unsubscribe import unsubscribe_token

    invited = invite(locale="sw")  # Swahili: no catalog
    token = unsubscribe_token(app.config["SECRET_KEY"], invited.person_id)
    page = client.get(f"/u/{token}", headers={"Accept-Language": "sw, de;q=0.8"})
    assert 'lang="de"' in page.get_data(as_text=True)
