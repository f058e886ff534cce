"""The hosted page is a display too: its form carries a display token, so a score posted
without the page, or sooner than a person reads, is kept but quarantined. A score chosen
in the email was read there and is confirmed at once (docs/protection.md)."""

from __future__ import annotations

import pytest

from tests.collector.hosted.test_hosted import csrf_of, display_of

BROWSER = {"User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
                         "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"}


@pytest.fixture
def screened(app, clock):
    app.config.update(BOT_VERDICTS=True, CLOCK=clock)
    return app


def _stored(client, site) -> list[tuple[str, list[str]]]:
    rows = client.get("/v1/responses", headers=site.auth("read")).json["data"]
    return [(r["verdict"], r["verdict_reasons"]) for r in rows]


@pytest.mark.parametrize(("form", "seconds", "expected"), [
    ({"display": True}, 4, ("accepted", [])),
    ({}, 4, ("quarantined", ["no_display"])),
    ({"display": "forged"}, 4, ("quarantined", ["no_display"])),
    ({"display": True}, 0.2, ("quarantined", ["too_fast"])),
])
def test_a_hosted_answer_needs_the_pages_display(screened, client, site, invite, clock,
                                                 form, seconds, expected) -> None:
    invited = invite()
    html = client.get(f"/s/{invited.token}", headers=BROWSER).get_data(as_text=True)
    clock.advance(seconds=seconds)
    data = {"csrf": csrf_of(html), "score": "8"}
    if form.get("display"):
        data["display"] = display_of(html) if form["display"] is True else form["display"]
    posted = client.post(f"/s/{invited.token}", headers=BROWSER, data=data)
    assert posted.status_code == 200
    assert _stored(client, site) == [expected]


def test_a_score_chosen_in_the_email_is_confirmed_at_once(screened, client, site, invite,
                                                         clock) -> None:
    invited = invite()
    html = client.get(f"/s/{invited.token}?score=10", headers=BROWSER).get_data(as_text=True)
    clock.advance(seconds=0.3)  # the page's script confirms it once visible
    client.post(f"/s/{invited.token}", headers=BROWSER,
                data={"csrf": csrf_of(html), "display": display_of(html), "score": "10"})
    assert _stored(client, site) == [("accepted", [])]


def test_another_score_than_the_emails_is_timed_from_the_page(screened, client, site, invite,
                                                              clock) -> None:
    invited = invite()
    html = client.get(f"/s/{invited.token}?score=10", headers=BROWSER).get_data(as_text=True)
    clock.advance(seconds=0.3)
    client.post(f"/s/{invited.token}", headers=BROWSER,
                data={"csrf": csrf_of(html), "display": display_of(html), "score": "3"})
    assert _stored(client, site) == [("quarantined", ["too_fast"])]


def _guarded_invitation(app, site):
    from collector.core.extensions import db
    from tests.collector.hosted.conftest import make_invitation
    from tests.factories import make_survey

    with app.app_context():
        make_survey(db.session, site.site_id, "guarded", proof_of_work="always")
    return make_invitation(app, site.site_id, "guarded", email="g@example.com")


def _challenge_of(html: str) -> dict:
    import html as markup
    import json
    import re

    found = re.search(r'data-pow="([^"]+)"', html)
    assert found, "the page carries no challenge"
    return json.loads(markup.unescape(found.group(1)))


def test_with_proof_of_work_the_page_carries_a_challenge_its_script_solves(
        screened, client, site, clock) -> None:
    from tests.collector.protection.conftest import solve

    screened.config["PROOF_OF_WORK_MAX_NUMBER"] = 2000
    invited = _guarded_invitation(screened, site)
    html = client.get(f"/s/{invited.token}", headers=BROWSER).get_data(as_text=True)
    clock.advance(seconds=4)
    client.post(f"/s/{invited.token}", headers=BROWSER, data={
        "csrf": csrf_of(html), "display": display_of(html), "score": "9",
        "proof": solve(_challenge_of(html))})
    assert _stored(client, site) == [("accepted", [])]


def test_without_javascript_the_answer_is_kept_for_review(screened, client, site,
                                                          clock) -> None:
    screened.config["PROOF_OF_WORK_MAX_NUMBER"] = 2000
    invited = _guarded_invitation(screened, site)
    html = client.get(f"/s/{invited.token}", headers=BROWSER).get_data(as_text=True)
    clock.advance(seconds=4)
    posted = client.post(f"/s/{invited.token}", headers=BROWSER, data={
        "csrf": csrf_of(html), "display": display_of(html), "score": "9", "proof": ""})
    assert posted.status_code == 200  # the person sees the follow-up, as always
    assert _stored(client, site) == [("quarantined", ["no_proof_of_work"])]
