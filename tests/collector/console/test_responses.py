"""The response browser: each filter, comment search, keyset pages, the export of exactly
the filter, and one answer's page."""

from __future__ import annotations

import json
import re

import pytest

from tests.collector.conftest import Stage
from tests.collector.console.conftest import SignIn, page, recent, signed_in


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/console/responses/(\d+)"', html)]


@pytest.fixture
def answers(stage: Stage) -> dict[str, int]:
    return {
        "late": recent(stage, 2, days_ago=1, comment="Checkout was 100% broken",
                       touchpoint="checkout", locale="de", properties={"plan": "pro"}),
        "happy": recent(stage, 10, days_ago=3, comment="Love it", touchpoint="support",
                        channel="email", locale="en", properties={"plan": "free"}),
        "middle": recent(stage, 8, days_ago=5, touchpoint="support"),
        "bot": recent(stage, 0, days_ago=2, verdict="quarantined",
                      verdict_reasons=["too_fast"]),
    }


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["late", "bot", "happy", "middle"]),
    ({"category": "detractor"}, ["late", "bot"]),
    ({"score": "10"}, ["happy"]),
    ({"touchpoint": "support"}, ["happy", "middle"]),
    ({"channel": "email"}, ["happy"]),
    ({"locale": "de"}, ["late"]),
    ({"verdict": "quarantined"}, ["bot"]),
    ({"property": "plan", "value": "free"}, ["happy"]),
    ({"property": "plan"}, ["late", "happy"]),
    ({"q": "BROKEN"}, ["late"]),
    ({"q": "100%"}, ["late"]),  # a wildcard character is searched for, not matched
    ({"q": "_"}, []),
    ({"survey": "nps"}, ["late", "bot", "happy", "middle"]),
    ({"survey": "other"}, []),
])
def test_each_filter_narrows_the_list(answers: dict[str, int], sign_in: SignIn,
                                      params: dict[str, str], expected: list[str]) -> None:
    html = page(sign_in("read"), "/console/responses", **params)
    assert _ids(html) == [answers[name] for name in expected]


def test_a_date_range_includes_its_last_day(stage: Stage, answers: dict[str, int],
                                            sign_in: SignIn) -> None:
    from datetime import timedelta

    from collector.core.clock import now

    today = now().date()
    html = page(sign_in("read"), "/console/responses",
                since=str(today - timedelta(days=3)), until=str(today - timedelta(days=2)))
    assert _ids(html) == [answers["bot"], answers["happy"]]


@pytest.mark.parametrize("params", [{"score": "11"}, {"since": "yesterday"},
                                    {"category": "angry"}, {"property": "a b"},
                                    {"since": "2026-05-02", "until": "2026-05-01"}])
def test_a_bad_filter_is_explained_not_a_crash(sign_in: SignIn,
                                               params: dict[str, str]) -> None:
    answer = sign_in("read").get("/console/responses", query_string=params)
    assert answer.status_code == 400 and 'role="alert"' in answer.get_data(as_text=True)


def test_pages_follow_each_other_without_gaps_or_repeats(stage: Stage,
                                                         sign_in: SignIn) -> None:
    from datetime import timedelta

    from collector.core.clock import now

    start = now() - timedelta(days=20)
    # Three answers share each moment: the cursor must break ties by id.
    made = [stage.add(i % 11, at=start + timedelta(hours=i // 3)) for i in range(60)]
    client = sign_in("read")
    seen: list[int] = []
    html = page(client, "/console/responses", survey="nps")
    while True:
        seen += _ids(html)
        found = re.search(r'href="(/console/responses\?[^"]*after=[^"]+)" rel="next"', html)
        if not found:
            break
        html = page(client, found.group(1).replace("&amp;", "&"))
    assert seen == list(reversed(made))


def test_a_forged_cursor_starts_from_the_newest(answers: dict[str, int],
                                                sign_in: SignIn) -> None:
    html = page(sign_in("read"), "/console/responses", after="1;DROP TABLE")
    assert _ids(html)[0] == answers["late"]


def test_the_export_holds_exactly_the_filtered_answers(answers: dict[str, int],
                                                       sign_in: SignIn) -> None:
    client = sign_in("read")
    listed = page(client, "/console/responses", touchpoint="support")
    assert 'href="/console/responses/export.csv?touchpoint=support"' in listed
    csv_answer = client.get("/console/responses/export.csv?touchpoint=support")
    assert csv_answer.mimetype == "text/csv"
    assert "attachment" in csv_answer.headers["Content-Disposition"]
    lines = csv_answer.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("id,survey") and len(lines) == 3
    ndjson = client.get("/console/responses/export.ndjson?q=broken&locale=de")
    rows = [json.loads(line) for line in ndjson.get_data(as_text=True).splitlines()]
    assert [r["id"] for r in rows] == [answers["late"]]
    assert client.get("/console/responses/export.xlsx").status_code == 404


def test_an_answer_has_its_own_page(answers: dict[str, int], sign_in: SignIn) -> None:
    html = page(sign_in("read"), f"/console/responses/{answers['late']}")
    assert "Checkout was 100% broken" in html and "Property plan</dt><dd>pro</dd>" in html
    assert "NPS (nps), version 1" in html
    assert re.search(r'<a href="/console/followups/\d+">Case \d+</a> \(open\)', html)
    bot = page(sign_in("admin"), f"/console/responses/{answers['bot']}")
    assert "quarantined (too_fast)" in bot and "Release this answer" in bot


def test_another_sites_answer_is_not_found(stage: Stage, sign_in: SignIn) -> None:
    from collector.core.extensions import db
    from tests.factories import make_site, make_survey

    with stage.app.app_context():
        other = make_site(db.session, "other")
        make_survey(db.session, other.site_id)
    elsewhere = Stage(stage.app, other, stage.app.test_client()).add(3, comment="secret")
    client = sign_in("read")
    assert client.get(f"/console/responses/{elsewhere}").status_code == 404
    assert "secret" not in page(client, "/console/responses")


def test_the_database_side_filters_agree_on_both_databases(any_stage: Stage) -> None:
    late = recent(any_stage, 2, comment="Checkout was 100% BROKEN", properties={"seats": 9})
    recent(any_stage, 9, comment="fine_ok 100", properties={"seats": "10"})
    client = signed_in(any_stage, "read")
    assert _ids(page(client, "/console/responses", q="broken")) == [late]
    assert _ids(page(client, "/console/responses", q="0%")) == [late]
    # As a LIKE wildcard, "_" would match the space in "Checkout was".
    assert _ids(page(client, "/console/responses", q="t_w")) == []
    assert _ids(page(client, "/console/responses", property="seats", value="9")) == [late]
