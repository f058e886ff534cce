"""Run every bench script and write its figures into docs/benchmarks.md (``make bench``).

A bench script is any ``bench/*.py`` that is not one of the helper modules below, does not
start with ``_`` and is not the soak test. The contract each script keeps:

- it accepts ``--quick`` (a short run that proves the set-up works and still prints figures);
- its LAST stdout line is one JSON object (``harness.emit`` prints it)::

    {"bench": "<name>", "quick": bool, "notes": "how it was measured",
     "figures": [{"name": "...", "value": 0.71, "unit": "x hello-world",
                  "baseline": 1234.5, "goal": ">= 0.5", "ok": true}]}

  ``name`` and ``value`` are required; ``baseline`` is the figure measured side by side in
  the same run, ``goal`` a short text, ``ok`` whether the goal was met.

This script rewrites only the section ``<!-- bench:<script name> -->`` of the doc, so a
partial run (``--only``) leaves the other figures as they were.

    python bench/run_all.py [--quick] [--only http_throughput ...] [--no-doc]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import figures_markdown, markdown_table, parse_emitted, update_doc

BENCH = Path(__file__).resolve().parent
HELPERS = {"harness", "load", "services", "hello_world", "stack_floor", "direct_view", "run_all",
           # A tool for comparing two versions, not a goal: run by hand.
           "compare_commits"}


def discover(only: list[str] | None = None) -> list[Path]:
    scripts = [path for path in sorted(BENCH.glob("*.py"))
               if path.stem not in HELPERS and not path.stem.startswith(("_", "soak"))]
    if only:
        unknown = set(only) - {path.stem for path in scripts}
        if unknown:
            raise SystemExit(f"no bench script named {', '.join(sorted(unknown))}")
        scripts = [path for path in scripts if path.stem in only]
    return scripts


def run_script(path: Path, quick: bool, timeout: float) -> tuple[dict[str, Any] | None, str]:
    """Run one script, echoing its output; return its figures (or None) and why it failed."""
    argv = [sys.executable, str(path), *(["--quick"] if quick else [])]
    print(f"\n=== {path.stem} ({' '.join(argv[1:])})", flush=True)
    lines: list[str] = []
    started = time.monotonic()
    with subprocess.Popen(argv, cwd=BENCH.parent, stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"}) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            print(line, end="", flush=True)
            if time.monotonic() - started > timeout:
                process.kill()
                return None, f"killed after {timeout:.0f} s"
        code = process.wait()
    result = parse_emitted("".join(lines))
    if code != 0:
        return None, f"exit code {code}"
    if result is None:
        return None, "printed no figures line"
    return result, ""


def measured_at() -> str:
    load = os.getloadavg()[0]
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
            f"load average {load:.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the bench scripts, update the doc.")
    parser.add_argument("--quick", action="store_true", help="short runs: check the set-up")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these scripts")
    parser.add_argument("--no-doc", action="store_true", help="do not touch the doc")
    parser.add_argument("--timeout", type=float, help="seconds per script (1200, quick 300)")
    args = parser.parse_args(argv)
    timeout = args.timeout or (300 if args.quick else 1200)

    summary = []
    for path in discover(args.only):
        when = measured_at()
        result, failure = run_script(path, args.quick, timeout)
        if result is None:
            summary.append((path.stem, "failed", failure))
            body = f"_Failed ({failure}; no figures) in the run of {when}._"
        else:
            missed = [f["name"] for f in result["figures"] if f.get("ok") is False]
            summary.append((path.stem, "goal missed" if missed else "ok", "; ".join(missed)))
            body = figures_markdown(result, when)
        if not args.no_doc:
            update_doc(path.stem, body)
    print("\n" + markdown_table(("bench", "outcome", "details"), summary))
    return 1 if any(outcome == "failed" for _, outcome, _ in summary) else 0


if __name__ == "__main__":
    sys.exit(main())
