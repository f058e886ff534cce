"""Time from page load to a visible survey, in Chromium on loopback.

A customer's page (one loopback server) embeds the widget from the collector (another);
each run opens a fresh browser context (cold cache, new visitor), navigates, and waits for
the survey's first score to be visible. The baseline, measured alternately in the same run,
is the same page without the widget reaching its load event. Medians over N runs.

Two clocks. A frame callback added to the page notes the first animation frame in which the
survey is on screen and styled. Wall clock: from goto until Playwright sees that note (it
polls once per frame); it includes Playwright's round trips. In page: navigation start to that
frame, against the plain page's loadEventEnd; only the page's own work is in it. (Until
issue 10 the wall clock stopped at a role locator's wait_for, which polls with a 0, 20, 50,
100, 100, 500 ms backoff: differences under about 100 ms mostly vanished in that step.)

    .venv/bin/python bench/widget_visible.py [--runs 15] [--quick]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, Response
from werkzeug.serving import make_server

from bench.harness import emit, figure, median
from collector import create_app
from collector.core.database import migrate
from collector.core.extensions import db
from tests.factories import make_site, make_survey
from widget.build import build

CHROMIUM = os.environ.get("TENPOINT_TEST_CHROMIUM", "/usr/bin/chromium")
# Added to every page before its own scripts: notes the first frame with a styled survey.
WATCH = """(function frame() {
  var host = document.querySelector("tenpoint-survey"), box = host && host.shadowRoot &&
    host.shadowRoot.querySelector(".tp");
  if (box && !box.hidden && getComputedStyle(box).position === "fixed") {
    window.tenpointVisibleAt = performance.now();
  } else requestAnimationFrame(frame);
})();"""
LOAD_END = "performance.getEntriesByType('navigation')[0].loadEventEnd"
PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>'
        "</head><body><h1>Dashboard</h1>{widget}</body></html>")


def serve(app: Flask) -> str:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="5 runs")
    args = parser.parse_args()
    runs = 5 if args.quick else args.runs
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    build()
    workdir = Path(tempfile.mkdtemp(prefix="tenpoint-widget-bench-"))
    url = f"sqlite:///{workdir}/tenpoint.db"
    migrate(url)
    os.environ["TENPOINT_INSTANCE_PATH"] = str(workdir / "instance")
    collector_app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench",
                                "RATE_LIMIT_ENABLED": False})
    collector = serve(collector_app)
    pages: dict[str, str] = {}
    host_app = Flask("host")

    @host_app.get("/<name>")
    def page(name: str) -> Response:
        return Response(pages.get(name, ""), mimetype="text/html")

    host = serve(host_app)
    with collector_app.app_context():
        keys = make_site(db.session, origins=[host])
        make_survey(db.session, keys.site_id, rules={"recontact_days": 0, "decline_days": 0})
    pages["with"] = PAGE.format(widget=f'<script async src="{collector}/widget.js" '
                                       f'data-site-key="{keys.publishable}" '
                                       'data-survey="nps"></script>')
    pages["without"] = PAGE.format(widget="")

    from playwright.sync_api import sync_playwright

    visible: list[float] = []
    loaded: list[float] = []
    in_page: dict[str, list[float]] = {"with": [], "without": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        for _ in range(runs + 1):  # the first round warms the servers up and is dropped
            for name, target in (("without", loaded), ("with", visible)):
                context = browser.new_context()
                tab = context.new_page()
                tab.add_init_script(WATCH)
                started = time.perf_counter()
                tab.goto(f"{host}/{name}", wait_until="load")
                if name == "with":
                    tab.wait_for_function("window.tenpointVisibleAt")
                target.append((time.perf_counter() - started) * 1000)
                if name == "with":  # and it is the survey, answerable: its first score shows
                    tab.get_by_role("radio", name="0", exact=True).wait_for(state="visible")
                in_page[name].append(tab.evaluate(
                    "window.tenpointVisibleAt" if name == "with" else LOAD_END))
                context.close()
        browser.close()
    visible, loaded = visible[1:], loaded[1:]
    shown, plain = in_page["with"][1:], in_page["without"][1:]
    print(f"page load without widget: median {median(loaded):.1f} ms over {runs} runs")
    print(f"page load to visible survey: median {median(visible):.1f} ms over {runs} runs")
    print(f"added by the widget: {median(visible) - median(loaded):.1f} ms")
    print(f"in page: load event without widget {median(plain):.1f} ms, first frame with the "
          f"survey {median(shown):.1f} ms (added {median(shown) - median(plain):.1f} ms)")
    emit("widget_visible", [
        figure("page load to visible survey", median(visible), "ms", baseline=median(loaded)),
        figure("added by the widget", median(visible) - median(loaded), "ms"),
        figure("in page: navigation to first frame with the survey", median(shown), "ms",
               baseline=median(plain)),
    ], notes=f"Chromium headless, loopback, cold context per run, median of {runs}; "
             "baseline = same page without the widget to its load event (wall clock "
             "includes Playwright's polling; in page does not)", quick=args.quick)


if __name__ == "__main__":
    main()
