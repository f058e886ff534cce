"""A page on an origin the site does not allow: the widget says why, and which origin to add."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


# The two console lines this test is about: the widget's own message, and the browser's note
# of the 403 (the test below checks that nothing else appears).
@pytest.mark.console_errors("[tenpoint] origin_not_allowed", "status of 403")
def test_the_widget_logs_origin_not_allowed_with_the_origin_to_add(page: Any,
                                                                   host_site: Any) -> None:
    # The site allows another origin only: the host page's is not on its list.
    answer = host_site.api().patch("/v1/site", headers=host_site.keys.auth("admin"), json={
        "allowed_origins": ["https://somewhere-else.example"]})
    assert answer.status_code == 200, answer.json
    host_site.add("/favicon.ico", "", mimetype="image/x-icon")  # no 404 in the console
    messages: list[tuple[str, str]] = []
    page.on("console", lambda m: messages.append((m.type, m.text)))
    page.on("pageerror", lambda e: messages.append(("pageerror", str(e))))
    url = host_site.page("/refused", host_site.widget_tag(extra='data-auto="false"')
                         + "<script>addEventListener('load', function () {"
                           "tenpoint('show', 'nps'); });</script>")
    with page.expect_console_message(lambda m: "[tenpoint]" in m.text):
        page.goto(url)
    origin = host_site.url
    expected = (f"[tenpoint] origin_not_allowed: Origin {origin} is not in this site's allowed "
                f"origins; add it with `tenpoint sites update <site> --add-origin {origin}` or "
                "PATCH /v1/site.")
    # The browser notes the 403 itself; nothing else may appear, least of all a CORS error.
    others = [m for m in messages if m != ("error", expected)
              and not (m[0] == "error" and "status of 403" in m[1])]
    assert ("error", expected) in messages and others == []
    assert page.locator("tenpoint-survey").count() == 0
