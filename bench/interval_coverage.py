"""Coverage of the 95% NPS intervals at small samples, computed exactly.

For each sample size and each true mix of promoters/passives/detractors, every possible
sample is enumerated with its multinomial probability, so the figure has no simulation noise.
Prints the adjusted-Wald coverage next to the plain Wald interval's (the baseline).

    .venv/bin/python bench/interval_coverage.py
"""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import emit, figure
from collector.analytics.statistics import Z_95, NpsCounts

SIZES = (10, 15, 20, 30, 50)
# True shares (promoters, passives, detractors): a grid from grim to glowing.
MIXES = [(p / 10, q / 10, round(1 - p / 10 - q / 10, 10))
         for p in range(0, 11) for q in range(0, 11 - p)
         if 0 < p < 10 and 0 < round(10 - p - q) < 10]


def wald_contains(counts: NpsCounts, truth: float) -> bool:
    se = counts.standard_error or 0.0
    return counts.nps - Z_95 * se <= truth <= counts.nps + Z_95 * se  # type: ignore[operator]


def coverage(n: int, mix: tuple[float, float, float], method: str) -> float:
    promoter, passive, detractor = mix
    truth = 100.0 * (promoter - detractor)
    total = 0.0
    for promoters in range(n + 1):
        for passives in range(n + 1 - promoters):
            detractors = n - promoters - passives
            probability = (math.comb(n, promoters) * math.comb(n - promoters, passives)
                           * promoter ** promoters * passive ** passives
                           * detractor ** detractors)
            counts = NpsCounts(promoters, passives, detractors)
            if method == "adjusted":
                interval = counts.interval()
                inside = interval.low <= truth <= interval.high
            else:
                inside = wald_contains(counts, truth)
            if inside:
                total += probability
    return total


def summary(n: int, method: str) -> tuple[float, float]:
    values = [coverage(n, mix, method) for mix in MIXES]
    return statistics.mean(values), min(values)


def main() -> None:
    # Exact enumeration is already fast; --quick only keeps run_all's interface uniform.
    quick = "--quick" in sys.argv[1:]
    print(f"{len(MIXES)} true mixes per size; exact coverage of nominal 95% intervals")
    print(f"{'n':>4} {'adjusted-Wald mean':>19} {'min':>6} {'Wald (baseline) mean':>21} {'min':>6}")
    figures = []
    for n in SIZES:
        adjusted_mean, adjusted_min = summary(n, "adjusted")
        wald_mean, wald_min = summary(n, "wald")
        print(f"{n:>4} {adjusted_mean:>19.3f} {adjusted_min:>6.3f} {wald_mean:>21.3f} "
              f"{wald_min:>6.3f}")
        figures.append(figure(f"mean coverage of the adjusted-Wald 95% interval, n={n}",
                              round(adjusted_mean, 3), "share", baseline=round(wald_mean, 3),
                              goal="close to 0.95", ok=abs(adjusted_mean - 0.95) <= 0.01))
    emit("interval_coverage", figures, quick=quick,
         notes=f"exact enumeration over {len(MIXES)} true mixes; baseline: plain Wald interval")


if __name__ == "__main__":
    main()
