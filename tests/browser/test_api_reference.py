"""/docs: Swagger UI from the swagger-ui-bundle package, under a strict CSP, no CDN."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_reference_renders_every_operation_with_expanded_bodies_under_the_csp(
        app, live_server, page) -> None:
    server = live_server(app)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{server.url}/docs")
    page.locator(".opblock").first.wait_for()
    # Every operation is listed (a table of contents by tag), none as a bare name.
    assert page.locator(".opblock").count() >= 30
    assert page.locator(".opblock-tag").count() >= 5
    # Opening one shows its request body's fields, not just "SurveyCreate".
    page.locator(".opblock-post .opblock-summary-path", has_text="/v1/surveys").first.click()
    body = page.locator(".opblock-body").first
    body.locator(".model-box, .body-param").first.wait_for()
    assert "key" in body.inner_text()
    # The page's own origin only: no CDN.
    assert all(url.startswith(server.url) for url in requested), requested
    assert "``" not in page.locator("#swagger-ui").inner_text()
    # The console-error watch (conftest) fails the test on any CSP refusal or script error.
