"""Playwright for Python driving Debian's Chromium (``playwright install`` cannot download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, Response

from tests.conftest import SERVICES_REQUIRED
from tests.factories import TEXTS_EN, SiteKeys, make_site, make_survey

CHROMIUM = os.environ.get("TENPOINT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


class WatchedBrowser:
    """The browser, whose every page reports console errors and uncaught errors (issue 25).

    Each context it opens watches each page in it; the autouse fixture below fails the test on
    any report a test did not declare with ``@pytest.mark.console_errors("substring", ...)``.
    """

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.errors: list[str] = []

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.on("page", self.watch)
        return context

    def watch(self, page: Any) -> None:
        page.on("console", self.console)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def console(self, message: Any) -> None:
        # The browser's own guess at /favicon.ico is no page's doing (test servers have none).
        if message.type in ("error", "assert") and not (message.location or {}).get(
                "url", "").endswith("/favicon.ico"):
            self.errors.append(f"console.{message.type}: {message.text}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def no_console_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every browser test fails on a console error or an uncaught error it did not expect."""
    if "browser" not in request.fixturenames:
        yield
        return
    watched: WatchedBrowser = request.getfixturevalue("browser")
    watched.errors.clear()
    yield
    marker = request.node.get_closest_marker("console_errors")
    expected = marker.args if marker else ()
    unexpected = [e for e in watched.errors if not any(x in e for x in expected)]
    watched.errors.clear()
    assert unexpected == [], "the page reported errors"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if SERVICES_REQUIRED:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield WatchedBrowser(launched)
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


# --- the widget on a host page of another origin (issue 4) -------------------------------


TEXTS_FULL: dict[str, Any] = {
    **TEXTS_EN,
    "second_question": "Which feature do you use most?",
    "thank_you": {"detractor": "Sorry to hear that. We will do better.",
                  "passive": "Thanks, noted.", "promoter": "Wonderful, thank you!"},
    "promoter_link_label": "Leave us a review",
    "promoter_link_url": "https://reviews.example.com/acme",
}


@dataclass
class HostSite:
    """A customer's site on its own origin; tests register pages and scripts on it."""

    url: str
    collector: str
    keys: SiteKeys
    app: Flask
    files: dict[str, tuple[str, str, dict[str, str]]] = field(default_factory=dict)

    def add(self, path: str, body: str, *, mimetype: str = "text/html",
            headers: dict[str, str] | None = None) -> str:
        self.files[path] = (body, mimetype, headers or {})
        return self.url + path

    def widget_tag(self, *, extra: str = "") -> str:
        return (f'<script async src="{self.collector}/widget.js" '
                f'data-site-key="{self.keys.publishable}" {extra}></script>')

    def page(self, path: str, body: str, *, csp: str | None = None, lang: str = "en",
             dir: str = "ltr") -> str:
        html = (f'<!doctype html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>Host page</title></head><body><main><h1>Acme</h1>'
                f'<p>Your dashboard.</p></main>{body}</body></html>')
        return self.add(path, html, headers={"Content-Security-Policy": csp} if csp else None)

    def api(self) -> Any:
        return self.app.test_client()

    def responses(self) -> list[dict[str, Any]]:
        return self.api().get("/v1/responses", headers=self.keys.auth("read")).json["data"]


@pytest.fixture
def host_site(app: Flask, live_server: Any) -> HostSite:
    """The collector on one loopback port, a customer's site on another (so CORS applies)."""
    from collector.core.extensions import db

    collector = live_server(app)
    app.config["PUBLIC_URL"] = collector.url
    host_app = Flask("host_site")
    files: dict[str, tuple[str, str, dict[str, str]]] = {}

    @host_app.get("/<path:path>")
    def serve(path: str) -> Response:
        if "/" + path not in files:
            return Response(status=404)
        body, mimetype, headers = files["/" + path]
        return Response(body, mimetype=mimetype, headers=headers)

    host = live_server(host_app)
    with app.app_context():
        keys = make_site(db.session, origins=[host.url])
        make_survey(db.session, keys.site_id, texts={"en": TEXTS_FULL})
    return HostSite(host.url, collector.url, keys, app, files)


def assert_accessible(page: Any) -> None:
    """Zero axe-core violations (axe is bundled with axe-playwright-python: no network)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [(v["id"], [n["target"] for n in v["nodes"]])
                  for v in results.response["violations"]]
    assert violations == []
