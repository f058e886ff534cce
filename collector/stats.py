"""NPS arithmetic over plain counts. No database, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

DETRACTOR, PASSIVE, PROMOTER = "detractor", "passive", "promoter"


def category_of(score: int) -> str:
    if not 0 <= score <= 10:
        raise ValueError(f"score {score} is outside 0..10")
    if score >= 9:
        return PROMOTER
    if score >= 7:
        return PASSIVE
    return DETRACTOR


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
