"""GCRA counting, as pure arithmetic and in the per-process store, with the clock passed in."""

from __future__ import annotations

import uuid

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

from collector.protection.gcra import MemoryCounters, gcra
from collector.protection.rate_limits import FallbackLimiter
from tests.factories import Ticking


def test_a_burst_of_the_whole_allowance_then_one_per_interval() -> None:
    clock = Ticking(1_800_000_000.0)
    counters = MemoryCounters(clock)
    hit = lambda: counters.hit_all([(3, 60.0, "c")])[0]  # noqa: E731
    burst = [hit() for _ in range(4)]
    assert [v.allowed for v in burst] == [True, True, True, False]
    assert [v.remaining for v in burst[:3]] == [2, 1, 0]
    # Refused: the next slot frees one interval (20 s) after the burst, not a period later.
    assert burst[3].retry_after == pytest.approx(20.0)
    assert burst[2].reset_after == pytest.approx(60.0)
    clock.now += 19.9
    assert hit().allowed is False
    clock.now += 0.2
    after = hit()
    assert (after.allowed, after.remaining) == (True, 0)
    clock.now += 60
    assert [hit().allowed for _ in range(4)] == [True, True, True, False]


def test_a_refused_hit_costs_nothing() -> None:
    clock = Ticking(1_800_000_000.0)
    counters = MemoryCounters(clock)
    for _ in range(10):
        counters.hit_all([(2, 10.0, "c")])
    clock.now += 5.0  # one interval: exactly one slot free again, however many were refused
    assert [counters.hit_all([(2, 10.0, "c")])[0].allowed for _ in range(2)] == [True, False]


def test_hits_stop_at_the_first_refusal_and_later_counters_are_not_charged() -> None:
    counters = MemoryCounters(Ticking(1_800_000_000.0))
    first = counters.hit_all([(1, 60.0, "key"), (5, 60.0, "site")])
    assert [v.allowed for v in first] == [True, True]
    second = counters.hit_all([(1, 60.0, "key"), (5, 60.0, "site")])
    assert [v.allowed for v in second] == [False]
    assert counters.hit_all([(5, 60.0, "site")])[0].remaining == 3


def test_idle_counters_are_swept_from_memory() -> None:
    clock = Ticking(1_800_000_000.0)
    counters = MemoryCounters(clock)
    for number in range(100):
        counters.hit_all([(10, 1.0, f"ip-{number}")])
    assert len(counters) == 100
    clock.now += MemoryCounters.SWEEP_SECONDS + 1
    counters.hit_all([(10, 1.0, "fresh")])
    assert len(counters) == 1


@given(amount=st.integers(1, 500), period=st.sampled_from([1.0, 60.0, 3600.0]),
       gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=300))
def test_never_more_than_the_allowance_plus_the_sustained_rate(
        amount: int, period: float, gaps: list[float]) -> None:
    """Over any stretch of time T from a fresh counter, at most amount + T * amount / period
    hits pass: the promise users read in docs/protection.md."""
    now, tat, passed = 0.0, None, 0
    for gap in gaps:
        now += gap
        verdict, tat = gcra(tat, now, amount, period)
        passed += verdict.allowed
        assert passed <= amount + now * amount / period + 1e-6


def test_redis_judges_like_memory_and_lets_a_counter_expire_when_full_again(
        redis_url: str) -> None:
    prefix = f"tptest-{uuid.uuid4().hex}"
    shared = FallbackLimiter(redis_url, prefix, retry_seconds=30)
    memory = MemoryCounters()
    hits = [(3, 60.0, "key:a"), (5, 60.0, "site:1")]
    answers = [(shared.hit_all(hits), memory.hit_all(hits)) for _ in range(4)]
    for from_redis, from_memory in answers:
        assert [(v.allowed, v.remaining) for v in from_redis] == \
            [(v.allowed, v.remaining) for v in from_memory]
    assert [len(from_redis) for from_redis, _ in answers] == [2, 2, 2, 1]
    assert answers[3][0][0].retry_after == pytest.approx(20.0, abs=0.5)
    client = redis.Redis.from_url(redis_url)
    # Three hits of 3/minute: full again in 60 s, and not kept a moment longer.
    assert 59_000 <= client.pttl(f"{prefix}:key:a") <= 60_000
    assert 35_000 <= client.pttl(f"{prefix}:site:1") <= 36_000
    client.delete(*client.keys(f"{prefix}*"))


def test_a_huge_limit_is_still_counted_in_redis(redis_url: str) -> None:
    """A billion a minute: one hit's interval vanishes in the float sum of Redis's clock, and
    a zero expiry (PX 0) would make Redis refuse the write and the collector count locally."""
    prefix = f"tptest-{uuid.uuid4().hex}"
    shared = FallbackLimiter(redis_url, prefix, retry_seconds=30)
    for _ in range(3):
        [verdict] = shared.hit_all([(1_000_000_000, 60.0, "site:huge")])
        assert verdict.allowed
    assert not shared.degraded  # Redis accepted every write: nothing fell back to memory
    client = redis.Redis.from_url(redis_url)
    left = client.keys(f"{prefix}*")  # a counter full again in 60 ns has expired already
    if left:
        client.delete(*left)
