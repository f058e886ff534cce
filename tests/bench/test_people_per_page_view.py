"""bench/people_per_page_view.py as a test: page views at a 1 % sample store as many people
as surveys shown, never one per visitor (issue 23). A count, on SQLite and PostgreSQL."""

from __future__ import annotations

from flask import Flask

from bench.people_per_page_view import count_rows


def test_a_one_percent_sample_stores_one_person_per_display(any_app: Flask) -> None:
    counts = count_rows(any_app, page_views=1_000, rate=0.01)
    # The salt is fixed: the sampling hash predicts the same displays on every run.
    assert counts.displays == counts.expected_displays > 0
    assert counts.people == counts.contacts == counts.displays
    assert counts.people < 1_000 // 20
