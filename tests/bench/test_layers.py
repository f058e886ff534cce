"""The collector without its framework layers (bench/direct_view.py) must still make the
same decisions and store the same displays, or ``layers.py`` would compare unequal work."""

from __future__ import annotations

from typing import Any

from flask import Flask

from bench.direct_view import serve_directly
from tests.conftest import AppFactory
from tests.factories import SiteKeys


def _check(app: Flask, site: SiteKeys, user_id: str) -> dict[str, Any]:
    answer = app.test_client().post(
        f"/v1/eligibility?key={site.publishable}", data=f'{{"survey": "nps", "user_id": '
        f'"{user_id}"}}', headers={"Content-Type": "text/plain"})
    assert answer.status_code == 200, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def test_the_direct_view_decides_and_records_like_the_collector(
        app: Flask, make_app: AppFactory, sqlite_url: str, site: SiteKeys, survey: str) -> None:
    direct = serve_directly(make_app(sqlite_url))
    shipped, bare = _check(app, site, "shipped-1"), _check(direct, site, "direct-1")
    assert bare["eligible"] is True and bare["display_id"] and bare["display_token"]
    unique = {"display_id": None, "display_token": None}  # one per display
    assert {**bare, **unique} == {**shipped, **unique}
    # Each display was committed: the other app meets both people as returning visitors.
    assert _check(app, site, "direct-1")["reason"] == "recently_surveyed"
    assert _check(direct, site, "shipped-1") == _check(app, site, "shipped-1") == {
        "eligible": False, "reason": "recently_surveyed", "survey": None, "display_id": None,
        "display_token": None, "proof_of_work": None, "recheck_after": None}
