"""Chart geometry for the console, computed without Flask: the templates only draw it.

Every chart is server-rendered SVG with a table beside it for screen readers and print.
The viewBox is narrow (480 units) with 15-unit text (console.css), so on a 390 px phone the
text is still about 11 px and on a desktop the chart is capped at 36rem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 14, 34
ROW = 40  # height of one segment row
LEVELS = (100, 50, 0, -50, -100)


def _y(nps: float, height: int = HEIGHT) -> float:
    """-100..100 to vertical units, 100 at the top."""
    inner = height - TOP - BOTTOM
    return round(TOP + (100.0 - nps) / 200.0 * inner, 1)


def _x_of_nps(nps: float) -> float:
    """-100..100 to horizontal units, for the segment rows."""
    return round(LEFT + (nps + 100.0) / 200.0 * (WIDTH - LEFT - RIGHT), 1)


@dataclass(frozen=True)
class Mark:
    start: date
    x: float
    y: float
    y_low: float
    y_high: float
    nps: float
    low: float
    high: float
    n: int
    partial: bool


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float
    partial: bool


@dataclass(frozen=True)
class TrendChart:
    marks: list[Mark]
    band: str
    segments: list[Segment]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, date]]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def any_partial(self) -> bool:
        return any(mark.partial for mark in self.marks)


def week_start(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def is_partial(start: date, since: datetime, until: datetime, days: int = 7) -> bool:
    """A period is partial when the span starts after its first moment or ends before its
    last: its figure stands on fewer days than the others."""
    first = datetime.combine(start, datetime.min.time(), tzinfo=since.tzinfo)
    return since > first or until < first + timedelta(days=days)


def trend_chart(groups: list[dict[str, Any]], since: datetime, until: datetime) -> TrendChart:
    """``groups``: weekly summaries (``key`` the Monday, ``nps``, ``interval``, ``n``).
    Weeks without answers are left out, and the x axis is time, so a gap looks like one."""
    scored = sorted((g for g in groups if g["n"]), key=lambda g: g["key"])
    starts = [date.fromisoformat(str(g["key"])[:10]) for g in scored]
    inner = WIDTH - LEFT - RIGHT
    first, last = (starts[0], starts[-1]) if starts else (None, None)
    span = max(1, (last - first).days) if first and last else 1
    marks = []
    for start, group in zip(starts, scored, strict=True):
        x = LEFT + inner * ((start - first).days / span if len(starts) > 1 else 0.5)  # type: ignore[operator]
        low, high = group["interval"]["low"], group["interval"]["high"]
        marks.append(Mark(start, round(x, 1), _y(group["nps"]), _y(low), _y(high),
                          group["nps"], low, high, group["n"], is_partial(start, since, until)))
    band = " ".join([f"{m.x},{m.y_high}" for m in marks]
                    + [f"{m.x},{m.y_low}" for m in reversed(marks)])
    segments = [Segment(a.x, a.y, b.x, b.y, a.partial or b.partial)
                for a, b in pairwise(marks)]
    picks = _spread(len(marks), 4)
    return TrendChart(marks, band, segments, [(_y(level), level) for level in LEVELS],
                      [(marks[i].x, marks[i].start) for i in picks])


def _spread(count: int, most: int) -> list[int]:
    """Up to ``most`` indexes, evenly spread, always the first and the last."""
    if count <= most:
        return list(range(count))
    step = (count - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})


@dataclass(frozen=True)
class SegmentRow:
    label: str
    n: int
    nps: float
    low: float
    high: float
    y: float
    x: float
    x_low: float
    x_high: float


@dataclass(frozen=True)
class SegmentChart:
    rows: list[SegmentRow]
    height: int
    ticks: list[tuple[float, int]]
    zero: float
    width: int = WIDTH


def segment_chart(groups: list[dict[str, Any]], *, most: int = 12) -> SegmentChart:
    """NPS with its interval per segment, the largest first; segments without answers are
    left out (an interval of nothing says nothing)."""
    scored = sorted((g for g in groups if g["n"]), key=lambda g: (-g["n"], str(g["key"])))
    rows = []
    for index, group in enumerate(scored[:most]):
        low, high = group["interval"]["low"], group["interval"]["high"]
        label = "(none)" if group["key"] is None else str(group["key"])
        rows.append(SegmentRow(label, group["n"], group["nps"], low, high,
                               TOP + index * ROW, _x_of_nps(group["nps"]), _x_of_nps(low),
                               _x_of_nps(high)))
    height = TOP + len(rows) * ROW + BOTTOM
    return SegmentChart(rows, height, [(_x_of_nps(level), level) for level in LEVELS],
                        _x_of_nps(0))


@dataclass(frozen=True)
class MixBar:
    start: date
    x: float
    width: float
    parts: list[tuple[str, float, float, int]]  # category, y, height, count
    total: int
    partial: bool


@dataclass(frozen=True)
class MixChart:
    bars: list[MixBar]
    x_ticks: list[tuple[float, date]]
    y_ticks: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT


def mix_chart(groups: list[dict[str, Any]], since: datetime, until: datetime) -> MixChart:
    """The share of promoters, passives and detractors per week, stacked to 100 %."""
    scored = sorted((g for g in groups if g["n"]), key=lambda g: g["key"])
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(1, len(scored))
    bars = []
    for index, group in enumerate(scored):
        start = date.fromisoformat(str(group["key"])[:10])
        top = float(TOP)
        parts = []
        for category, count in (("promoter", group["promoters"]),
                                ("passive", group["passives"]),
                                ("detractor", group["detractors"])):
            height = inner_h * count / group["n"]
            parts.append((category, round(top, 1), round(height, 1), count))
            top += height
        bars.append(MixBar(start, round(LEFT + index * slot + slot * 0.15, 1),
                           round(slot * 0.7, 1), parts, group["n"],
                           is_partial(start, since, until)))
    picks = _spread(len(bars), 4)
    return MixChart(bars, [(bars[i].x + bars[i].width / 2, bars[i].start) for i in picks],
                    [(round(TOP + inner_h * (1 - share / 100), 1), share)
                     for share in (100, 50, 0)])
