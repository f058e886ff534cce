"""A site may allow repeat answers from one browser (the demo does: "Ask me again")."""

from __future__ import annotations

from tests.collector.protection.conftest import answer_as_widget, world


def test_asking_again_on_a_site_that_allows_repeats_is_not_a_repeat_answer(protected) -> None:
    w = world(protected(), allow_repeat_answers=True)
    answers = [answer_as_widget(w, {"score": score}) for score in (3, 10)]
    assert [a.status_code for a in answers] == [201, 201]
    assert [a.stored["verdict"] for a in answers] == ["accepted", "accepted"]


def test_a_site_that_does_not_allow_repeats_quarantines_the_second_answer(protected) -> None:
    w = world(protected())
    answers = [answer_as_widget(w, {"score": score}) for score in (3, 10)]
    assert [a.stored["verdict"] for a in answers] == ["accepted", "quarantined"]
    assert "repeat_answer" in answers[1].stored["verdict_reasons"]
