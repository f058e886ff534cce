"""GET /v1/metrics/nps at its edges (issue 25): no answers, one category, the previous
period, and query parameters it does not know."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collector.analytics.statistics import NpsCounts, compare
from tests.collector.conftest import START, Stage


def test_no_answers_has_no_interval_and_says_why(stage: Stage) -> None:
    body = stage.get("/v1/metrics/nps").json
    assert (body["nps"], body["interval"], body["margin"], body["standard_error"]) == (
        None, None, None, None)
    assert body["unavailable"] == {"nps": "no_answers", "interval": "no_answers",
                                   "margin": "no_answers", "standard_error": "no_answers"}


@pytest.mark.parametrize("scores", [[10], [0, 3, 6]])
def test_one_category_has_a_margin_to_draw_and_no_standard_error(stage: Stage,
                                                                 scores: list[int]) -> None:
    for score in scores:
        stage.add(score)
    body = stage.get("/v1/metrics/nps").json
    assert body["standard_error"] is None
    assert body["unavailable"] == {"standard_error": "one_category"}
    assert body["margin"] > 0 and body["interval"]["low"] < body["interval"]["high"]


def test_the_span_is_compared_with_the_span_before_it(stage: Stage) -> None:
    for score in (10, 9, 9, 10, 8):
        stage.add(score, at=START + timedelta(days=8))
    for score in (0, 3, 9, 6, 7):
        stage.add(score, at=START + timedelta(days=2))
    since, until = START + timedelta(days=7), START + timedelta(days=14)
    body = stage.get("/v1/metrics/nps", since=since.isoformat(),
                     until=until.isoformat()).json
    comparison = body["comparison"]
    assert comparison["previous"]["n"] == 5 and comparison["previous"]["nps"] == -40.0
    expected = compare(NpsCounts(4, 1, 0), NpsCounts(1, 1, 3))
    assert comparison["p_value"] == pytest.approx(expected.p_value)
    assert comparison["difference"] == pytest.approx(expected.difference)
    assert comparison["previous"]["until"].startswith(since.isoformat()[:19])


def test_a_comparison_with_an_empty_previous_span_says_why(stage: Stage) -> None:
    stage.add(10, at=START + timedelta(days=8))
    body = stage.get("/v1/metrics/nps", since=(START + timedelta(days=7)).isoformat(),
                     until=(START + timedelta(days=14)).isoformat()).json
    assert (body["comparison"]["p_value"], body["comparison"]["reason"]) == (None, "no_answers")


def test_without_since_there_is_no_comparison(stage: Stage) -> None:
    assert stage.get("/v1/metrics/nps").json["comparison"] is None


def test_an_unknown_query_parameter_is_refused(stage: Stage) -> None:
    answered = stage.get("/v1/metrics/nps", sinse="2026-03-01T00:00:00Z")
    assert answered.status_code == 422
    assert answered.json["error"]["field"] == "sinse"


def test_since_later_than_until_is_refused(stage: Stage) -> None:
    answered = stage.get("/v1/metrics/nps", since=(START + timedelta(days=2)).isoformat(),
                         until=START.isoformat())
    assert answered.status_code == 422
    assert (answered.json["error"]["code"], answered.json["error"]["field"]) == (
        "invalid_period", "since")
