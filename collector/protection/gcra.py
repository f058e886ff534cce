"""Rate counting by GCRA (the generic cell rate algorithm): one number per counter.

A limit of N per period lets a client send N requests at once and then one every
``period / N`` seconds: N per period sustained, bursts of N. Each counter is a single
timestamp, the theoretical arrival time (TAT) of the client's next request at the sustained
rate, so a hit costs the same whatever the limit and the traffic. The moving window used
before kept the time of every hit within the period: a list that grew with the limit (a
``site=6000/minute`` counter held up to 6,000 timestamps, inserted at the front of a Python
list in memory and binary-searched with ``LINDEX`` in Redis), so a busy site paid more per
request the busier it was (docs/protection.md has the figures).

The arithmetic is here once, as a pure function; the memory store applies it under a lock,
the Redis script applies the same arithmetic atomically on the server with the server's
clock, so collectors with skewed clocks still share one count.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import NamedTuple


class Verdict(NamedTuple):  # a tuple, not a frozen dataclass: made four times per request
    allowed: bool
    remaining: int
    # Seconds until the counter is back to a full allowance (``RateLimit-Reset``).
    reset_after: float
    # Seconds until the next request would be allowed; 0 when this one was.
    retry_after: float


def gcra(tat: float | None, now: float, amount: int, period: float) -> tuple[Verdict, float]:
    """Judge one hit on a counter whose stored TAT is ``tat`` (``None``: never hit or long
    idle). Returns the verdict and the TAT to store (unchanged when refused)."""
    interval = period / amount
    current = max(tat if tat is not None else now, now)
    # The TAT may run ahead of now by the period less one interval: that is the burst.
    allowed = current - now <= period - interval
    stored = current + interval if allowed else current
    return verdict_of(amount, period, allowed, stored, now), stored


def verdict_of(amount: int, period: float, allowed: bool, tat: float, now: float) -> Verdict:
    """The verdict given the TAT after the hit (the stored one when refused) and the time;
    also how the Redis script's answer is read."""
    interval = period / amount
    if not allowed:
        return Verdict(False, 0, tat - now, max(0.0, tat - now - (period - interval)))
    # A float a hair under a whole number of intervals still counts that interval as free.
    remaining = math.floor((period - (tat - now)) / interval + 1e-9)
    return Verdict(True, max(0, remaining), tat - now, 0.0)


Hit = tuple[int, float, str]  # amount, period in seconds, counter name


class MemoryCounters:
    """TATs in a dict, for one process: when no Redis is configured, or while it is down.

    Counters whose TAT has passed hold nothing a fresh counter would not (a full
    allowance), so they are swept, at most every ``SWEEP_SECONDS``, to bound memory.
    """

    SWEEP_SECONDS = 10.0

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tats: dict[str, float] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def hit_all(self, hits: list[Hit]) -> list[Verdict]:
        """Count ``hits`` in order up to and including the first refused one."""
        verdicts = []
        with self._lock:
            now = self._clock()
            if now >= self._next_sweep:
                self._next_sweep = now + self.SWEEP_SECONDS
                self._tats = {name: tat for name, tat in self._tats.items() if tat > now}
            for amount, period, name in hits:
                verdict, self._tats[name] = gcra(self._tats.get(name), now, amount, period)
                verdicts.append(verdict)
                if not verdict.allowed:
                    break
        return verdicts

    def __len__(self) -> int:
        return len(self._tats)


# The same arithmetic as ``gcra``, atomically, on Redis's clock: KEYS are the counters,
# ARGV holds (amount, period) per key. Stops at the first refusal, like ``hit_all``. Numbers
# go back as strings: Redis would truncate a Lua float to an integer.
REDIS_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local out = {}
for i, key in ipairs(KEYS) do
  local amount = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local interval = period / amount
  local tat = tonumber(redis.call('get', key) or '0')
  if tat < now then tat = now end
  if tat - now > period - interval then
    out[i] = {0, tostring(tat), tostring(now)}
    break
  end
  tat = tat + interval
  -- At least 1 ms: a huge limit's interval can vanish in the float sum (PX 0 is refused).
  redis.call('set', key, tostring(tat), 'PX', math.max(1, math.ceil((tat - now) * 1000)))
  out[i] = {1, tostring(tat), tostring(now)}
end
return out
"""
