"""What a background ``trigger`` costs the caller, next to the synchronous call it replaces.

Goal (issue 7): a ``Client(background=True).trigger(...)`` returns in under 20 µs (median)
while the worker thread delivers to a live collector in the same process. The baseline is
the synchronous ``trigger`` round trip measured in the same run. Every queued call must be
delivered (checked after ``flush``), and none refused: the queue is sized for the run.

    python bench/sdk_background.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sdk_python"))

import tenpoint

from bench._sdk_collector import BenchCollector, sdk_collector
from bench.harness import emit, figure, median, percentile

GOAL_US = 20.0


def measure(collector: BenchCollector, calls: int) -> tuple[list[float], list[float], bool]:
    sync = tenpoint.Client(collector.secret_key, base_url=collector.url)
    background = tenpoint.Client(collector.secret_key, base_url=collector.url,
                                 background=True, queue_size=calls + 100)
    sync_times: list[float] = []
    for index in range(30):
        started = time.perf_counter()
        sync.trigger(collector.survey, user_id=f"sync-{index}", channel="link")
        sync_times.append(time.perf_counter() - started)
    background.trigger(collector.survey, user_id="warm", channel="link")  # starts the thread
    background.flush(30)
    caller_times: list[float] = []
    refused = 0
    for index in range(calls):
        started = time.perf_counter()
        queued = background.trigger(collector.survey, user_id=f"bg-{index}", channel="link")
        caller_times.append(time.perf_counter() - started)
        refused += queued is not True
    delivered = background.flush(600) and refused == 0
    invitations = sum(1 for item in sync.invitations.list(limit=500)
                      if str(item.get("user_id", "")).startswith("bg-"))
    background.close()
    sync.close()
    return caller_times, sync_times, delivered and invitations == calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 calls: checks the set-up")
    args = parser.parse_args(argv)
    calls = 200 if args.quick else 2000
    with sdk_collector() as collector:
        caller, sync, delivered = measure(collector, calls)
    caller_us, sync_us = median(caller) * 1e6, median(sync) * 1e6
    ok = caller_us < GOAL_US and delivered
    print(f"{collector.describe}; {calls} background calls")
    print(f"{'':30}{'median µs':>12}{'p99 µs':>12}")
    print(f"{'background trigger (caller)':30}{caller_us:>12.1f}"
          f"{percentile(caller, 99) * 1e6:>12.1f}")
    print(f"{'sync trigger (round trip)':30}{sync_us:>12.1f}{percentile(sync, 99) * 1e6:>12.1f}")
    print(f"background: {caller_us:.1f} µs   (target < {GOAL_US:.0f} µs)   "
          f"all {calls} delivered exactly once: {delivered}   {'OK' if ok else 'MISSED'}")
    emit("sdk_background", [
        figure("background trigger, cost to the caller (median)", caller_us, "µs",
               baseline=sync_us, goal=f"< {GOAL_US:.0f} µs", ok=caller_us < GOAL_US),
        figure("background calls delivered exactly once", float(delivered), "bool",
               goal="1", ok=delivered),
    ], notes=f"{collector.describe}; {calls} calls; baseline: the sync trigger round trip",
        quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
