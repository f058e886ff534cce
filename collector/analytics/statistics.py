"""NPS arithmetic over plain counts and weights. No database, no Flask.

The formulas, and why the interval is adjusted-Wald, are in docs/statistics.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

DETRACTOR, PASSIVE, PROMOTER = "detractor", "passive", "promoter"
CATEGORIES = (DETRACTOR, PASSIVE, PROMOTER)

# Rocks (2016): pseudo-observations added before the Wald interval is computed. Together
# they are three answers, spread like a neutral sample, which pulls tiny samples towards 0.
ADJUST_DETRACTORS, ADJUST_PASSIVES, ADJUST_PROMOTERS = 0.75, 1.5, 0.75
ADJUST_TOTAL = ADJUST_DETRACTORS + ADJUST_PASSIVES + ADJUST_PROMOTERS
Z_95 = 1.959963984540054


def category_of(score: int) -> str:
    if not 0 <= score <= 10:
        raise ValueError(f"score {score} is outside 0..10")
    if score >= 9:
        return PROMOTER
    if score >= 7:
        return PASSIVE
    return DETRACTOR


def _variance(promoter_share: float, detractor_share: float) -> float:
    """Per-respondent variance of the +1/0/-1 score whose mean is the NPS (as a fraction)."""
    return max(0.0, promoter_share + detractor_share - (promoter_share - detractor_share) ** 2)


def _clamp(value: float) -> float:
    return max(-100.0, min(100.0, value))


def z_for(level: float) -> float:
    """Two-sided normal quantile for a confidence level (0.95 → 1.96), by bisection on erfc."""
    if level == 0.95:
        return Z_95
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    target = 1 - level
    low, high = 0.0, 40.0
    for _ in range(100):
        middle = (low + high) / 2
        if math.erfc(middle / math.sqrt(2)) > target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    level: float = 0.95


@dataclass(frozen=True)
class NpsCounts:
    promoters: int
    passives: int
    detractors: int

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> float | None:
        """Share of promoters minus share of detractors, times 100; ``None`` with no answers."""
        if self.total == 0:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.total

    def shares(self) -> dict[str, float | None]:
        """Each category's share of the answers (0..1); ``None`` with no answers."""
        total = self.total
        return {
            "promoters": self.promoters / total if total else None,
            "passives": self.passives / total if total else None,
            "detractors": self.detractors / total if total else None,
        }

    @property
    def standard_error(self) -> float | None:
        """Standard error of the NPS in points, unadjusted: s / sqrt(n), s the sample
        standard deviation of the +1/0/-1 scores (n - 1 denominator, docs/statistics.md).
        ``None`` when it says nothing: no answers, or all in one category (a 0 would claim
        certainty; ``margin`` is the width to draw then)."""
        return WeightedNps.of_counts(self).standard_error

    def interval(self, level: float = 0.95) -> Interval:
        """Adjusted-Wald interval (Rocks 2016), in points, clamped to [-100, 100]."""
        return adjusted_wald(self.promoters, self.passives, self.detractors, level)

    def margin(self, level: float = 0.95) -> float:
        """Half-width of the adjusted-Wald interval before clamping, in points."""
        return adjusted_margin(self.promoters, self.passives, self.detractors, level)

    def unavailable(self) -> dict[str, str]:
        """Why a figure is null: ``no_answers``, or ``one_category`` for the error."""
        return unavailable_figures(self.total, self.nps, self.standard_error)

    @classmethod
    def of_scores(cls, scores: Iterable[int]) -> NpsCounts:
        tally = {category: 0 for category in CATEGORIES}
        for score in scores:
            tally[category_of(score)] += 1
        return cls(tally[PROMOTER], tally[PASSIVE], tally[DETRACTOR])


def _adjusted(promoters: float, passives: float, detractors: float) -> tuple[float, float]:
    """Adjusted NPS (fraction) and its variance of the mean."""
    n = promoters + passives + detractors + ADJUST_TOTAL
    p = (promoters + ADJUST_PROMOTERS) / n
    d = (detractors + ADJUST_DETRACTORS) / n
    return p - d, _variance(p, d) / n


def adjusted_margin(
    promoters: float, passives: float, detractors: float, level: float = 0.95
) -> float:
    """z times the adjusted standard error, in points: the interval's half-width."""
    return 100.0 * z_for(level) * math.sqrt(_adjusted(promoters, passives, detractors)[1])


NO_ANSWERS, NO_WEIGHT, ONE_CATEGORY = "no_answers", "no_weight", "one_category"


def unavailable_figures(n: int, nps: float | None, standard_error: float | None
                        ) -> dict[str, str]:
    """Each null figure of a summary with the reason (docs/statistics.md)."""
    if n == 0:
        return dict.fromkeys(("nps", "interval", "margin", "standard_error"), NO_ANSWERS)
    if nps is None:
        return dict.fromkeys(("nps", "interval", "margin", "standard_error"), NO_WEIGHT)
    return {"standard_error": ONE_CATEGORY} if standard_error is None else {}


def adjusted_wald(
    promoters: float, passives: float, detractors: float, level: float = 0.95
) -> Interval:
    """The interval around the adjusted NPS; counts may be fractional (effective counts)."""
    centre, variance = _adjusted(promoters, passives, detractors)
    half = z_for(level) * math.sqrt(variance)
    return Interval(_clamp(100.0 * (centre - half)), _clamp(100.0 * (centre + half)), level)


@dataclass(frozen=True)
class Comparison:
    difference: float  # adjusted NPS of ``a`` minus that of ``b``, in points
    z: float
    p_value: float

    def significant(self, alpha: float) -> bool:
        return self.p_value < alpha


def compare(a: NpsCounts | WeightedNps, b: NpsCounts | WeightedNps) -> Comparison:
    """Two-sided z-test that two periods or segments have the same NPS.

    Both sides are adjusted as for the interval (0.75/1.5/0.75), which keeps the test
    defined when a side has no detractors or no promoters; weighted sides use their
    effective counts.
    """
    centre_a, variance_a = _adjusted(*_effective_counts(a))
    centre_b, variance_b = _adjusted(*_effective_counts(b))
    difference = centre_a - centre_b
    spread = math.sqrt(variance_a + variance_b)
    z = difference / spread if spread > 0 else 0.0
    return Comparison(100.0 * difference, z, math.erfc(abs(z) / math.sqrt(2)))


def _effective_counts(side: NpsCounts | WeightedNps) -> tuple[float, float, float]:
    if isinstance(side, NpsCounts):
        return float(side.promoters), float(side.passives), float(side.detractors)
    return side.effective_counts()


@dataclass(frozen=True)
class CategoryWeights:
    """What SQL can sum per category: answers, Σw and Σw² (w = the customer value)."""

    count: int = 0
    weight: float = 0.0
    weight_squared: float = 0.0


@dataclass(frozen=True)
class WeightedNps:
    """NPS with each answer weighted by a customer value.

    Variance by linearisation of the ratio Σw·x / Σw (x = +1, 0, -1), and Kish's effective
    sample size (Σw)² / Σw², so a score carried by a few large customers shows as uncertain.
    """

    promoters: CategoryWeights
    passives: CategoryWeights
    detractors: CategoryWeights

    @classmethod
    def of(cls, answers: Iterable[tuple[int, float]]) -> WeightedNps:
        """From (score, weight) pairs; a convenience for tests and small data."""
        sums = {category: [0, 0.0, 0.0] for category in CATEGORIES}
        for score, weight in answers:
            if weight < 0:
                raise ValueError("weights cannot be negative")
            entry = sums[category_of(score)]
            entry[0] += 1
            entry[1] += weight
            entry[2] += weight * weight
        build = {c: CategoryWeights(int(s[0]), s[1], s[2]) for c, s in sums.items()}
        return cls(build[PROMOTER], build[PASSIVE], build[DETRACTOR])

    @classmethod
    def of_counts(cls, counts: NpsCounts) -> WeightedNps:
        """Every answer weighing 1: the unweighted figures through the same formulas."""
        def one_each(count: int) -> CategoryWeights:
            return CategoryWeights(count, float(count), float(count))
        return cls(one_each(counts.promoters), one_each(counts.passives),
                   one_each(counts.detractors))

    @property
    def n(self) -> int:
        """Answers, those with no or zero weight included (they count, weighing nothing)."""
        return self.promoters.count + self.passives.count + self.detractors.count

    @property
    def total_weight(self) -> float:
        return self.promoters.weight + self.passives.weight + self.detractors.weight

    @property
    def effective_n(self) -> float:
        squares = (self.promoters.weight_squared + self.passives.weight_squared
                   + self.detractors.weight_squared)
        if squares <= 0:
            return 0.0
        # At most n (Cauchy-Schwarz); only rounding goes past it, as when tiny weights'
        # squares fall into subnormal floats (found by
        # tests/collector/analytics/statistics/test_stats.py).
        return min(float(self.n), self.total_weight ** 2 / squares)

    @property
    def nps(self) -> float | None:
        total = self.total_weight
        if total <= 0:
            return None
        return 100.0 * (self.promoters.weight - self.detractors.weight) / total

    @property
    def standard_error(self) -> float | None:
        """Linearised standard error of the ratio in points,
        sqrt(n / (n - 1) · Σ w²(x - R)²) / Σw, n counting every answer, zero weights
        included (docs/statistics.md: the with-replacement linearisation estimator).
        ``None`` with no weight, or when all weight sits in one category (no spread)."""
        total, n = self.total_weight, self.n
        if total <= 0 or n < 2:
            return None
        ratio = (self.promoters.weight - self.detractors.weight) / total
        spread = (self.promoters.weight_squared * (1 - ratio) ** 2
                  + self.passives.weight_squared * ratio ** 2
                  + self.detractors.weight_squared * (1 + ratio) ** 2)
        # Rounding leaves a trace of spread when one category holds every weight.
        if spread <= 1e-12 * (self.promoters.weight_squared + self.passives.weight_squared
                              + self.detractors.weight_squared):
            return None
        return 100.0 * math.sqrt(n / (n - 1) * spread) / total

    def effective_counts(self) -> tuple[float, float, float]:
        """Weighted shares scaled to the effective n: (promoters, passives, detractors)."""
        total = self.total_weight
        if total <= 0:
            return 0.0, 0.0, 0.0
        scale = self.effective_n / total
        return (self.promoters.weight * scale, self.passives.weight * scale,
                self.detractors.weight * scale)

    def interval(self, level: float = 0.95) -> Interval:
        """Adjusted-Wald on the effective counts: with equal weights, the unweighted interval."""
        return adjusted_wald(*self.effective_counts(), level=level)

    def margin(self, level: float = 0.95) -> float:
        return adjusted_margin(*self.effective_counts(), level=level)

    def unavailable(self) -> dict[str, str]:
        return unavailable_figures(self.n, self.nps, self.standard_error)
