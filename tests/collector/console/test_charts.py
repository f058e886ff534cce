"""Chart geometry: partial weeks marked, time on the x axis, segments without answers left
out, category shares stacked to the full height."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from collector.console.charts import (
    BOTTOM,
    HEIGHT,
    TOP,
    is_partial,
    mix_chart,
    segment_chart,
    trend_chart,
)


def _week(monday: str, nps: float, n: int, **counts: int) -> dict[str, Any]:
    return {"key": monday, "nps": nps, "n": n, "interval": {"low": nps - 20, "high": nps + 20},
            "promoters": counts.get("p", n), "passives": counts.get("s", 0),
            "detractors": counts.get("d", 0)}


SINCE = datetime(2026, 3, 4, 12, tzinfo=UTC)  # a Wednesday
UNTIL = datetime(2026, 3, 26, 8, tzinfo=UTC)  # a Thursday


def test_weeks_cut_by_the_span_are_partial() -> None:
    assert is_partial(date(2026, 3, 2), SINCE, UNTIL)  # starts before the span
    assert not is_partial(date(2026, 3, 9), SINCE, UNTIL)
    assert is_partial(date(2026, 3, 23), SINCE, UNTIL)  # ends after it
    whole = datetime(2026, 3, 9, tzinfo=UTC)
    assert not is_partial(date(2026, 3, 9), whole, datetime(2026, 3, 16, tzinfo=UTC))


def test_the_trend_puts_weeks_on_a_time_axis_and_marks_partial_ones() -> None:
    chart = trend_chart([_week("2026-03-23", 10, 3), _week("2026-03-02", 0, 4),
                         _week("2026-03-09", 50, 5), _week("2026-03-16", 0, 0)], SINCE, UNTIL)
    assert [m.start for m in chart.marks] == [date(2026, 3, 2), date(2026, 3, 9),
                                              date(2026, 3, 23)]  # the empty week left out
    xs = [m.x for m in chart.marks]
    assert abs((xs[2] - xs[1]) - 2 * (xs[1] - xs[0])) < 1  # a gap stays a gap
    assert [m.partial for m in chart.marks] == [True, False, True] and chart.any_partial
    assert [s.partial for s in chart.segments] == [True, True]
    assert chart.x_ticks[0][1] == date(2026, 3, 2)
    higher = {m.nps: m.y for m in chart.marks}
    assert higher[50] < higher[10] < higher[0]  # 100 is at the top


def test_segments_without_answers_are_left_out_largest_first() -> None:
    chart = segment_chart([
        {"key": "support", "nps": 0, "n": 0, "interval": {"low": -80, "high": 80}},
        {"key": "checkout", "nps": 20, "n": 3, "interval": {"low": -30, "high": 60}},
        {"key": None, "nps": -10, "n": 9, "interval": {"low": -40, "high": 20}},
    ])
    assert [row.label for row in chart.rows] == ["(none)", "checkout"]
    row = chart.rows[1]
    assert row.x_low < row.x < row.x_high


def test_the_mix_stacks_shares_to_the_full_height() -> None:
    chart = mix_chart([_week("2026-03-09", 0, 4, p=1, s=1, d=2)], SINCE, UNTIL)
    [bar] = chart.bars
    assert [(c, n) for c, _, _, n in bar.parts] == [("promoter", 1), ("passive", 1),
                                                      ("detractor", 2)]
    assert round(sum(h for _, _, h, _ in bar.parts)) == HEIGHT - TOP - BOTTOM
    assert not bar.partial
