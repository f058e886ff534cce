"""The overview: the score, its interval and what it leaves out; survey names; charts that
mark partial weeks; no interval for a segment without answers; localised; escaped."""

from __future__ import annotations

import re

from tests.collector.conftest import Stage
from tests.collector.console.conftest import SignIn, page, recent


def test_the_overview_shows_score_interval_and_what_is_left_out(stage: Stage,
                                                                sign_in: SignIn) -> None:
    for score, touchpoint in ((10, "checkout"), (9, "checkout"), (8, "support"),
                              (2, "support")):
        recent(stage, score, touchpoint=touchpoint)
    recent(stage, 0, verdict="quarantined", verdict_reasons=["too_fast"])
    html = page(sign_in("read"), "/console/", locale="en")
    assert '<p class="nps">25</p>' in html
    assert re.search(r"Quarantined \(not counted\)</dt><dd><a [^>]+>1</a>", html)
    assert re.search(r"Answers counted</dt><dd>4</dd>", html)
    assert 'class="band' in html and "checkout" in html and "support" in html


def test_surveys_are_named_not_keyed(stage: Stage, sign_in: SignIn) -> None:
    from collector.core.extensions import db
    from tests.factories import make_survey

    with stage.app.app_context():
        make_survey(db.session, stage.keys.site_id, "after-checkout")
    html = page(sign_in("read"), "/console/", survey="after-checkout")
    assert '<option value="after-checkout" selected>AFTER-CHECKOUT</option>' in html
    assert "<h1>Overview · AFTER-CHECKOUT</h1>" in html


def test_a_partial_week_is_marked_in_chart_and_table(stage: Stage, sign_in: SignIn) -> None:
    recent(stage, 10, days_ago=0.01)  # this week, which has not ended
    recent(stage, 3, days_ago=40)
    html = page(sign_in("read"), "/console/", days=90)
    assert 'class="point partial"' in html and "(partial)</td>" in html
    assert "Hollow points and dashed lines are partial weeks" in html


def test_a_segment_without_counted_answers_shows_no_interval(stage: Stage,
                                                             sign_in: SignIn) -> None:
    recent(stage, 9, touchpoint="checkout")
    recent(stage, 0, touchpoint="support", verdict="quarantined")
    html = page(sign_in("read"), "/console/")
    assert "\N{MINUS SIGN}80" not in html and "-80" not in html
    assert "checkout" in html
    assert not re.search(r"<td>support</td>", html)


def test_no_answers_shows_no_score_and_no_interval(sign_in: SignIn) -> None:
    html = page(sign_in("read"), "/console/")
    dash = "\N{EN DASH}"
    assert f'<p class="nps">{dash}</p>' in html and f"95% interval</dt><dd>{dash}</dd>" in html


def test_segments_by_a_property(stage: Stage, sign_in: SignIn) -> None:
    recent(stage, 10, properties={"plan": "pro"})
    recent(stage, 1, properties={"plan": "free"})
    html = page(sign_in("read"), "/console/", property="plan")
    assert "By property plan" in html and "<td>pro</td>" in html and "<td>free</td>" in html
    ignored = page(sign_in("read"), "/console/", property="no such'name")
    assert "By property" not in ignored


def test_comments_are_escaped(stage: Stage, sign_in: SignIn) -> None:
    recent(stage, 2, comment='<script>alert("x")</script> & <b>bold</b>')
    html = page(sign_in("read"), "/console/")
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_numbers_and_dates_follow_the_viewers_locale(stage: Stage, sign_in: SignIn) -> None:
    recent(stage, 10, comment="gut")
    client = sign_in("read")
    german = client.get("/console/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    html = german.get_data(as_text=True)
    assert "100\xa0%" in html
    assert re.search(r"<small>\d{1,2}\.\d{1,2}\.\d{4}</small>", html)
    english = page(client, "/console/", locale="en")
    assert "100%" in english
    assert re.search(r"<small>[A-Z][a-z]{2} \d{1,2}, \d{4}</small>", english)


def test_the_overview_and_its_charts_on_both_databases(any_stage: Stage) -> None:
    from tests.collector.console.conftest import signed_in

    recent(any_stage, 10, days_ago=0.01, locale="de", properties={"plan": "pro"})
    recent(any_stage, 3, days_ago=20, locale="en", properties={"plan": "free"})
    recent(any_stage, 9, days_ago=20, verdict="quarantined")
    html = page(signed_in(any_stage, "read"), "/console/", property="plan", locale="en")
    assert '<p class="nps">0</p>' in html and "(partial)</td>" in html
    assert "By locale" in html and "<td>de</td>" in html and "<td>pro</td>" in html
    assert re.search(r"Quarantined \(not counted\)</dt><dd><a [^>]+>1</a>", html)


def test_an_unknown_survey_is_said_not_silently_replaced(stage: Stage,
                                                         sign_in: SignIn) -> None:
    recent(stage, 10)
    html = page(sign_in("read"), "/console/", survey="gone")
    assert "There is no survey “gone”: showing all surveys." in html
    assert '<p class="nps">100</p>' in html
