"""The SDK's synchronous ``trigger`` round trip next to a raw ``http.client`` POST.

Goal (issue 7): the SDK costs at most 1.2x a bare POST of the same body to the same live
collector. Both keep one connection alive, send a fresh ``Idempotency-Key`` and the same JSON
body shape (each call a new person, so every call creates an invitation); calls alternate
raw, SDK, raw, SDK..., and the figure is the ratio of the medians.

    python bench/sdk_roundtrip.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sdk_python"))

import tenpoint

from bench._sdk_collector import BenchCollector, sdk_collector
from bench.harness import emit, figure, median, percentile, ratio

GOAL = 1.2


def body(survey: str, user_id: str) -> dict[str, object]:
    return {"survey": survey, "user_id": user_id, "channel": "link",
            "touchpoint": "bench", "dry_run": False}


def measure(collector: BenchCollector, calls: int) -> tuple[list[float], list[float]]:
    parts = urlsplit(collector.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                            timeout=10)
    client = tenpoint.Client(collector.secret_key, base_url=collector.url)
    raw_times: list[float] = []
    sdk_times: list[float] = []

    def raw_post(user_id: str) -> None:
        payload = json.dumps(body(collector.survey, user_id), separators=(",", ":")).encode()
        connection.request("POST", "/v1/triggers", body=payload, headers={
            "Authorization": f"Bearer {collector.secret_key}",
            "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200, answer.status

    def sdk_trigger(user_id: str) -> None:
        decision = client.trigger(collector.survey, user_id=user_id, channel="link",
                                  touchpoint="bench")
        assert isinstance(decision, tenpoint.Decision)

    for index in range(10):  # warm both connections and the collector's workers
        raw_post(f"warm-raw-{index}")
        sdk_trigger(f"warm-sdk-{index}")
    for index in range(calls):
        started = time.perf_counter()
        raw_post(f"raw-{index}")
        raw_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        sdk_trigger(f"sdk-{index}")
        sdk_times.append(time.perf_counter() - started)
    client.close()
    connection.close()
    return raw_times, sdk_times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 calls each: checks the set-up")
    args = parser.parse_args(argv)
    calls = 50 if args.quick else 400
    with sdk_collector() as collector:
        raw_times, sdk_times = measure(collector, calls)
    raw_ms, sdk_ms = median(raw_times) * 1000, median(sdk_times) * 1000
    value = ratio(sdk_ms, raw_ms)
    print(f"{collector.describe}; {calls} calls each, alternating")
    print(f"{'':24}{'median ms':>10}{'p90 ms':>10}")
    print(f"{'raw http.client POST':24}{raw_ms:>10.2f}{percentile(raw_times, 90) * 1000:>10.2f}")
    print(f"{'SDK client.trigger':24}{sdk_ms:>10.2f}{percentile(sdk_times, 90) * 1000:>10.2f}")
    print(f"SDK / raw: {value:.3f}x   (target <= {GOAL})   {'OK' if value <= GOAL else 'MISSED'}")
    emit("sdk_roundtrip", [
        figure("sync trigger round trip, SDK / raw POST", value, "x raw POST",
               baseline=raw_ms, goal=f"<= {GOAL}", ok=value <= GOAL),
        figure("sync trigger median", sdk_ms, "ms", baseline=raw_ms),
    ], notes=f"{collector.describe}; {calls} alternating calls each, medians",
        quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
