"""NPS arithmetic: worked examples computed by hand, then properties over random data."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.analytics.statistics import (
    Z_95,
    CategoryWeights,
    NpsCounts,
    WeightedNps,
    category_of,
    compare,
    z_for,
)


@pytest.mark.parametrize(("score", "category"), [(0, "detractor"), (6, "detractor"),
                                                  (7, "passive"), (8, "passive"),
                                                  (9, "promoter"), (10, "promoter")])
def test_scores_fall_into_the_three_categories(score: int, category: str) -> None:
    assert category_of(score) == category


def test_a_score_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValueError):
        category_of(11)


def test_worked_example_ten_answers() -> None:
    # 6 promoters, 2 passives, 2 detractors: NPS = (6 - 2) / 10 = 40.
    counts = NpsCounts(promoters=6, passives=2, detractors=2)
    assert counts.nps == pytest.approx(40.0)
    assert counts.shares() == {"promoters": 0.6, "passives": 0.2, "detractors": 0.2}
    # Variance per respondent: p + d - (p - d)^2 = 0.8 - 0.16 = 0.64, times n / (n - 1) for
    # the sample variance (docs/statistics.md): SE = sqrt(0.64 * 10/9 / 10).
    assert counts.standard_error == pytest.approx(100 * math.sqrt(0.064 * 10 / 9))
    # Adjusted: n = 13, p = 6.75/13, d = 2.75/13, centre = 4/13 = 0.307692.
    # variance = (9.5/13 - (4/13)^2) / 13 = 0.0489304; half width = 1.96 * 0.221202 = 0.433555.
    interval = counts.interval()
    assert interval.low == pytest.approx(-12.586, abs=0.01)
    assert interval.high == pytest.approx(74.124, abs=0.01)
    assert interval.level == 0.95


def test_worked_example_large_sample() -> None:
    # 500 promoters, 300 passives, 200 detractors: NPS 30.
    # Adjusted: n = 1003, p = 500.75/1003 = 0.499252, d = 200.75/1003 = 0.200150,
    # centre 0.299103, variance (0.699402 - 0.089462) / 1003 = 0.000608116, SE 0.0246600,
    # half width 0.0483329: [25.077, 34.744].
    interval = NpsCounts(500, 300, 200).interval()
    assert interval.low == pytest.approx(25.077, abs=0.01)
    assert interval.high == pytest.approx(34.744, abs=0.01)


def test_all_promoters_is_100_but_the_interval_admits_doubt() -> None:
    counts = NpsCounts(promoters=5, passives=0, detractors=0)
    assert counts.nps == 100.0
    # A 0 would claim certainty: no error, with the reason; the margin is what to draw.
    assert counts.standard_error is None
    assert counts.unavailable() == {"standard_error": "one_category"}
    interval = counts.interval()
    assert interval.high == 100.0  # clamped
    assert interval.low < 60.0
    assert counts.margin() == pytest.approx(100 * Z_95 * math.sqrt(
        ((5.75 + 0.75) / 8 - (5 / 8) ** 2) / 8))


def test_one_answer_has_a_margin_but_no_standard_error() -> None:
    counts = NpsCounts(promoters=0, passives=0, detractors=1)
    assert (counts.nps, counts.standard_error) == (-100.0, None)
    assert counts.margin() > 50


def test_no_answers_has_no_score_but_a_full_width_interval() -> None:
    counts = NpsCounts(0, 0, 0)
    assert counts.nps is None
    assert counts.standard_error is None
    assert set(counts.unavailable().values()) == {"no_answers"}
    interval = counts.interval()
    assert -100.0 <= interval.low < 0 < interval.high <= 100.0


def test_other_levels_use_the_normal_quantile() -> None:
    assert z_for(0.95) == pytest.approx(1.95996, abs=1e-5)
    assert z_for(0.90) == pytest.approx(1.64485, abs=1e-4)
    assert z_for(0.99) == pytest.approx(2.57583, abs=1e-4)
    narrow, wide = NpsCounts(6, 2, 2).interval(0.90), NpsCounts(6, 2, 2).interval(0.99)
    assert wide.low < narrow.low and narrow.high < wide.high


def test_worked_example_comparison_is_just_significant() -> None:
    # (6, 2, 2) against (2, 2, 6): adjusted centres +4/13 and -4/13, each variance 0.0489304;
    # z = (8/13) / sqrt(2 * 0.0489304) = 1.9672, p = erfc(1.9672 / sqrt 2) = 0.04916.
    result = compare(NpsCounts(6, 2, 2), NpsCounts(2, 2, 6))
    assert result.difference == pytest.approx(100 * 8 / 13)
    assert result.z == pytest.approx(1.9672, abs=1e-3)
    assert result.p_value == pytest.approx(0.0492, abs=5e-4)
    assert result.significant(0.05) and not result.significant(0.01)


def test_equal_periods_do_not_differ() -> None:
    result = compare(NpsCounts(40, 30, 30), NpsCounts(40, 30, 30))
    assert result.z == 0.0 and result.p_value == pytest.approx(1.0)


def test_a_small_wobble_is_not_significant() -> None:
    assert not compare(NpsCounts(42, 30, 28), NpsCounts(38, 31, 31)).significant(0.05)


def test_weighted_worked_example() -> None:
    # A promoter worth 100, a passive worth 10 and two detractors worth 10 each:
    # NPS_w = (100 - 20) / 130 = 61.54; Kish n_eff = 130^2 / (10000 + 100 + 200) = 1.641.
    weighted = WeightedNps.of([(10, 100.0), (8, 10.0), (3, 10.0), (0, 10.0)])
    assert weighted.nps == pytest.approx(100 * 80 / 130)
    assert weighted.effective_n == pytest.approx(16900 / 10300)
    # Linearised: R = 8/13; sqrt(4/3 · (10000 (5/13)^2 + 100 (8/13)^2 + 200 (21/13)^2)) / 130,
    # 4/3 being n / (n - 1).
    expected = 100 * math.sqrt(4 / 3 * (10000 * (5 / 13) ** 2 + 100 * (8 / 13) ** 2
                                        + 200 * (21 / 13) ** 2)) / 130
    assert weighted.standard_error == pytest.approx(expected)
    # Few effective answers: the interval is wider than the unweighted one on 4 answers.
    unweighted = NpsCounts(1, 1, 2).interval()
    interval = weighted.interval()
    assert interval.high - interval.low > 0.9 * (unweighted.high - unweighted.low)


def test_a_weighted_score_with_no_weight_has_no_value() -> None:
    weighted = WeightedNps(CategoryWeights(2, 0.0, 0.0), CategoryWeights(), CategoryWeights())
    assert weighted.nps is None and weighted.effective_n == 0.0


def test_negative_weights_are_refused() -> None:
    with pytest.raises(ValueError):
        WeightedNps.of([(9, -1.0)])


scores = st.lists(st.integers(min_value=0, max_value=10), max_size=200)


@given(scores)
def test_nps_is_always_between_minus_100_and_100(values: list[int]) -> None:
    counts = NpsCounts.of_scores(values)
    interval = counts.interval()
    if values:
        assert counts.nps is not None and -100.0 <= counts.nps <= 100.0
    assert -100.0 <= interval.low <= interval.high <= 100.0


@given(scores, st.randoms(use_true_random=False))
def test_the_order_of_answers_changes_nothing(values: list[int], rng: random.Random) -> None:
    shuffled = list(values)
    rng.shuffle(shuffled)
    assert NpsCounts.of_scores(values) == NpsCounts.of_scores(shuffled)
    pairs = [(s, float(i % 7)) for i, s in enumerate(values)]
    mixed = list(pairs)
    rng.shuffle(mixed)
    one, other = WeightedNps.of(pairs), WeightedNps.of(mixed)
    if one.nps is not None:
        assert other.nps == pytest.approx(one.nps)
        assert other.effective_n == pytest.approx(one.effective_n)


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=200),
       st.floats(min_value=0.01, max_value=1e6))
def test_equal_weights_give_the_unweighted_result(values: list[int], weight: float) -> None:
    counts = NpsCounts.of_scores(values)
    weighted = WeightedNps.of([(score, weight) for score in values])
    assert weighted.nps == pytest.approx(counts.nps, abs=1e-9)
    assert weighted.effective_n == pytest.approx(len(values))
    assert weighted.standard_error == pytest.approx(counts.standard_error, abs=1e-7)
    assert weighted.interval().low == pytest.approx(counts.interval().low, abs=1e-7)
    assert weighted.interval().high == pytest.approx(counts.interval().high, abs=1e-7)


@given(st.lists(st.tuples(st.integers(0, 10), st.floats(0, 1e4)), max_size=100))
def test_effective_n_never_exceeds_the_number_of_answers(pairs: list[tuple[int, float]]) -> None:
    weighted = WeightedNps.of(pairs)
    assert weighted.effective_n <= weighted.n + 1e-9
    if weighted.nps is not None:
        assert -100.0 - 1e-9 <= weighted.nps <= 100.0 + 1e-9


def test_zero_weight_answers_count_in_n_and_weigh_nothing() -> None:
    # Σ w²(x - R)² is the same; n grows from 2 to 4, so the factor n / (n - 1) is 4/3, not 2.
    two = WeightedNps.of([(10, 3.0), (0, 1.0)])
    four = WeightedNps.of([(10, 3.0), (0, 1.0), (8, 0.0), (2, 0.0)])
    assert (four.nps, four.effective_n) == (two.nps, two.effective_n)
    assert four.n == 4
    assert four.standard_error == pytest.approx(two.standard_error * math.sqrt((4 / 3) / 2))


def test_all_weight_in_one_category_has_no_standard_error() -> None:
    weighted = WeightedNps.of([(10, 2.0), (9, 5.0), (3, 0.0)])
    assert weighted.nps == 100.0
    assert weighted.standard_error is None
    assert weighted.unavailable() == {"standard_error": "one_category"}
