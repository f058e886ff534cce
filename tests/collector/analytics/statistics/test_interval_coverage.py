"""The 95% interval covers the true NPS about 95% of the time, even for 10 to 50 answers.

Coverage is computed exactly (every possible sample with its multinomial probability), so
the test is deterministic; bench/interval_coverage.py prints the full table.
"""

from __future__ import annotations

import math
import statistics

import pytest

from collector.analytics.statistics import NpsCounts

MIXES = [(0.5, 0.3, 0.2), (0.3, 0.4, 0.3), (0.7, 0.2, 0.1), (0.1, 0.3, 0.6), (0.2, 0.7, 0.1),
         (0.8, 0.1, 0.1)]


def exact_coverage(n: int, mix: tuple[float, float, float]) -> float:
    promoter, passive, detractor = mix
    truth = 100.0 * (promoter - detractor)
    covered = 0.0
    for promoters in range(n + 1):
        for passives in range(n + 1 - promoters):
            detractors = n - promoters - passives
            interval = NpsCounts(promoters, passives, detractors).interval()
            if interval.low <= truth <= interval.high:
                covered += (math.comb(n, promoters) * math.comb(n - promoters, passives)
                            * promoter ** promoters * passive ** passives
                            * detractor ** detractors)
    return covered


@pytest.mark.parametrize("n", [10, 20, 50])
def test_coverage_is_close_to_95_percent_at_small_samples(n: int) -> None:
    values = [exact_coverage(n, mix) for mix in MIXES]
    assert 0.93 <= statistics.mean(values) <= 0.97
    assert min(values) >= 0.88
