"""A customer answers on /demo with the keyboard; the answer shows up in the metrics."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def test_answer_the_demo_survey_with_the_keyboard(app, runner, live_server, page) -> None:
    server = live_server(app)
    app.config["PUBLIC_URL"] = server.url
    keys = json.loads(runner.invoke(args=["init", "--demo", "--json"]).output)
    # The demo site allows the live server's origin, as `make run` allows its own.
    with app.app_context():
        from collector.core.extensions import db
        from collector.models import Site

        site = db.session.query(Site).filter_by(slug="demo").one()
        site.allowed_origins = [server.url]
        db.session.commit()

    page.goto(f"{server.url}/demo")
    question = page.get_by_role("radiogroup")
    question.wait_for()
    page.get_by_role("radio", name="0", exact=True).focus()
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert page.get_by_role("radio", name="9", exact=True).is_checked()
    page.keyboard.press("Enter")  # the score is posted; the follow-up question takes focus
    page.get_by_role("textbox").wait_for()
    page.keyboard.type("Fast and friendly")
    page.keyboard.press("Tab")  # Skip
    page.keyboard.press("Tab")  # Send
    page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    # A function, not an expression: the demo's CSP forbids the eval an expression needs.
    page.wait_for_function("() => localStorage.getItem('tenpoint_outbox') === '[]'")

    headers = {"Authorization": f"Bearer {keys['read_key']}"}
    nps = app.test_client().get("/v1/metrics/nps", headers=headers).json
    expected = {"nps": 100.0, "promoters": 1, "passives": 0, "detractors": 0, "total": 1}
    assert {key: nps[key] for key in expected} == expected
    listed = app.test_client().get("/v1/responses", headers=headers).json["data"]
    assert listed[0]["comment"] == "Fast and friendly"
