"""What a page downloads to show a survey: snippet + widget.js (which carries widget.css since
issue 10) + one locale's interface strings, raw and gzipped, against the 6.5 KB (gzipped) budget
(6 KB from issue 4 until issue 22 added display tokens and the proof-of-work solver). The
separate widget.css is fetched only by browsers without constructed stylesheets (before
Safari 16.4 / Firefox 101); it is printed, outside the total.

The baseline is the budget itself (a size needs no noisy side-by-side run); peers for scale:
PostHog's surveys extension is about 49 KB gzipped on top of its core, Formbricks about
11.5 KB gzipped before its renderer. The locale counted is the largest of all catalogs.

    .venv/bin/python bench/widget_size.py [--quick]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import emit, figure
from collector.languages.catalogs import available_locales, interface_strings
from widget.build import OUT, build, snippet

BUDGET = int(6.5 * 1024)  # 6 KB until issues 22 (display tokens, proof of work) and 25 (focus)


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="same measurement (it is fast)")
    args = parser.parse_args()
    build()
    locales = ["en", *available_locales()]
    strings = {tag: json.dumps(interface_strings(tag), ensure_ascii=False).encode()
               for tag in locales}
    largest = max(strings, key=lambda tag: gzipped(strings[tag]))
    parts = {
        "snippet": snippet().encode(),
        "widget.js (+css)": (OUT / "widget.js").read_bytes(),
        f"strings ({largest})": strings[largest],
    }
    fallback = (OUT / "widget.css").read_bytes()
    print(f"{'part':<22}{'raw':>8}{'gzip':>8}")
    for name, data in parts.items():
        print(f"{name:<22}{len(data):>8}{gzipped(data):>8}")
    raw = sum(len(data) for data in parts.values())
    # Each part travels as its own response, so each is compressed on its own.
    total = sum(gzipped(data) for data in parts.values())
    print(f"{'total':<22}{raw:>8}{total:>8}   budget {BUDGET} gzipped: "
          f"{'OK' if total <= BUDGET else 'OVER'} ({total / BUDGET:.0%})")
    print(f"{'widget.css (fallback)':<22}{len(fallback):>8}{gzipped(fallback):>8}   "
          "only without constructed stylesheets, not in the total")
    emit("widget_size", [
        figure("snippet+widget+css+strings gzipped", total, "bytes", baseline=BUDGET,
               goal=f"<= {BUDGET}", ok=total <= BUDGET),
        figure("same, raw", raw, "bytes"),
        figure("widget.css, fallback browsers only, gzipped", gzipped(fallback), "bytes"),
        figure("snippet raw", len(parts["snippet"]), "bytes", baseline=600, goal="< 600",
               ok=len(parts["snippet"]) < 600),
    ], notes=f"gzip -9 per file; widget.js carries the CSS; strings of the largest catalog "
             f"({largest}); baseline = the budget", quick=args.quick)


if __name__ == "__main__":
    main()
