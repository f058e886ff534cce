"""/s/<token> in a real browser, with and without JavaScript, from an email's score link."""

from __future__ import annotations

from typing import Any

import pytest

from collector.core.extensions import db
from tests.browser.conftest import TEXTS_FULL, assert_accessible
from tests.collector.hosted.conftest import make_invitation
from tests.factories import make_site, make_survey

pytestmark = pytest.mark.browser


@pytest.fixture
def hosted(app: Any, live_server: Any) -> Any:
    server = live_server(app)
    with app.app_context():
        keys = make_site(db.session)
        make_survey(db.session, keys.site_id, texts={"en": TEXTS_FULL})

    class Hosted:
        url = server.url
        site = keys

        def invite(self, **options: Any) -> str:
            return make_invitation(app, keys.site_id, **options).token

        def responses(self) -> list[dict[str, Any]]:
            return app.test_client().get("/v1/responses",
                                         headers=keys.auth("read")).json["data"]

    return Hosted()


def watch_csp(page: Any) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text
            else None)
    return refused


def test_an_email_score_link_is_confirmed_by_the_page_script(page, hosted) -> None:
    refused = watch_csp(page)
    page.goto(f"{hosted.url}/s/{hosted.invite()}?score=9")
    comment = page.get_by_role("textbox", name="What do you love?")
    comment.wait_for()
    assert [r["score"] for r in hosted.responses()] == [9]
    assert page.get_by_role("status").inner_text() == "Your answer has been recorded."
    assert_accessible(page)
    comment.fill("Support was great")
    page.get_by_role("textbox", name="Which feature do you use most?").fill("Exports")
    page.get_by_role("button", name="Send").click()
    assert page.get_by_role("status").inner_text() == "Wonderful, thank you!"
    assert page.get_by_role("link", name="Leave us a review").is_visible()
    assert_accessible(page)
    [stored] = hosted.responses()
    assert (stored["comment"], stored["answers"], stored["channel"]) == (
        "Support was great", {"second": "Exports"}, "email")
    assert refused == []


def test_a_click_on_a_score_sends_it_at_once(page, hosted) -> None:
    page.goto(f"{hosted.url}/s/{hosted.invite()}")
    assert_accessible(page)
    page.get_by_role("radio", name="2", exact=True).click()
    page.get_by_role("textbox", name="What went wrong?").wait_for()
    page.get_by_role("button", name="Skip").click()
    assert page.get_by_role("status").inner_text() == "Sorry to hear that. We will do better."
    assert [(r["score"], r["comment"]) for r in hosted.responses()] == [(2, None)]


def test_without_javascript_the_score_waits_for_the_visible_confirm_button(browser,
                                                                           hosted) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        link = f"{hosted.url}/s/{hosted.invite()}?score=3"
        page.goto(link)
        assert page.get_by_role("radio", name="3", exact=True).is_checked()
        page.wait_for_timeout(800)
        assert hosted.responses() == []
        page.get_by_role("button", name="Send").click()
        page.get_by_role("textbox", name="What went wrong?").fill("Too slow")
        page.get_by_role("button", name="Send").click()
        assert page.get_by_role("heading", level=1).inner_text() == \
            "Sorry to hear that. We will do better."
        assert [(r["score"], r["comment"]) for r in hosted.responses()] == [(3, "Too slow")]
        page.goto(link)
        assert "already answered" in page.get_by_role("heading", level=1).inner_text()
    finally:
        context.close()


def test_keyboard_only_on_the_hosted_page(page, hosted) -> None:
    page.goto(f"{hosted.url}/s/{hosted.invite()}")
    page.keyboard.press("Tab")
    for _ in range(7):
        page.keyboard.press("ArrowRight")
    assert page.get_by_role("radio", name="7", exact=True).is_checked()
    page.keyboard.press("Enter")
    page.get_by_role("textbox", name="What would make it a 10?").wait_for()
    assert [r["score"] for r in hosted.responses()] == [7]


@pytest.mark.console_errors("the server responded with a status of 4")  # the pages' own status
def test_message_pages_are_accessible(page, hosted, app) -> None:
    token = hosted.invite()
    page.goto(f"{hosted.url}/s/{token}")
    page.get_by_role("radio", name="10", exact=True).click()
    page.get_by_role("textbox").first.wait_for()
    page.goto(f"{hosted.url}/s/{token}")
    assert "already answered" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    page.goto(f"{hosted.url}/s/unknown-token")
    assert_accessible(page)
    from collector.people.unsubscribe import unsubscribe_token

    person_id = make_invitation(app, hosted.site.site_id, email="x@example.com").person_id
    page.goto(f"{hosted.url}/u/{unsubscribe_token(app.config['SECRET_KEY'], person_id)}")
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    assert "no longer receive" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)


def test_right_to_left_hosted_page(page, hosted, app) -> None:
    with app.app_context():
        make_survey(db.session, hosted.site.site_id, key="ar-nps", default_locale="ar",
                    texts={"ar": {"question": "ما مدى احتمال أن توصي بنا؟"}})
    token = make_invitation(app, hosted.site.site_id, "ar-nps", email="a@example.com",
                            locale="ar").token
    page.goto(f"{hosted.url}/s/{token}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    zero = page.get_by_role("radio", name="0", exact=True).bounding_box()
    ten = page.get_by_role("radio", name="10", exact=True).bounding_box()
    assert zero["x"] > ten["x"]
    assert_accessible(page)


def test_the_email_link_flow_end_to_end(page, hosted, app) -> None:
    """Send the invitation through a real SMTP server, open the 8 from the delivered HTML."""
    import re

    from collector.eligibility.invitation_emails import MailSettings, send_invitation_email
    from collector.models import Invitation
    from tests.collector.delivery.test_email import LoopbackController, Mailbox, parts

    box = Mailbox()
    controller = LoopbackController(box, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        invitation_id = make_invitation(app, hosted.site.site_id, email="e@example.com",
                                        status="pending").invitation_id
        settings = MailSettings(public_url=hosted.url, secret_key=app.config["SECRET_KEY"],
                                mail_from="nps@example.com",
                                smtp_url=f"smtp://127.0.0.1:{controller.port}")
        with app.app_context():
            invitation = db.session.get(Invitation, invitation_id)
            send_invitation_email(db.session, invitation, invitation.send_at, settings)
            db.session.commit()
    finally:
        controller.stop()
    _, html = parts(box.messages[0])
    link = re.search(r'href="([^"]+\?score=8)"', html).group(1)
    page.goto(link)
    page.get_by_role("textbox", name="What would make it a 10?").wait_for()
    assert [(r["score"], r["channel"]) for r in hosted.responses()] == [(8, "email")]


def test_with_proof_of_work_the_page_solves_it_before_sending(page, hosted, app) -> None:
    """A click on a score waits for the page's proof of work, then sends it; judged as in
    production (a person's Chrome, not the headless one), the answer is accepted."""
    app.config["BOT_VERDICTS"] = True
    with app.app_context():
        make_survey(db.session, hosted.site.site_id, "guarded", proof_of_work="always",
                    texts={"en": TEXTS_FULL})
    context = page.context.browser.new_context(user_agent=(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"))
    person = context.new_page()
    refused = watch_csp(person)
    person.goto(f"{hosted.url}/s/{hosted.invite(survey_key='guarded')}")
    person.wait_for_timeout(1200)  # reading
    person.get_by_role("radio", name="9", exact=True).click()
    person.get_by_role("textbox", name="What do you love?").wait_for()
    context.close()
    [stored] = hosted.responses()
    assert (stored["survey"], stored["verdict"], stored["verdict_reasons"]) == \
        ("guarded", "accepted", [])
    assert refused == []
