"""Patterns match the whole string: a trailing newline is not a valid slug or colour."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from collector.analytics.rollup_builder import PROPERTY_NAME
from collector.core.request_ids import _SANE
from tests.factories import TEXTS_EN, SiteKeys


@pytest.mark.parametrize("key", ["product-nps\n", "product-nps\r\n", "\nproduct-nps"])
def test_a_survey_key_with_a_line_break_is_refused(
    client: FlaskClient, site: SiteKeys, key: str
) -> None:
    reply = client.post("/v1/surveys", json={"key": key, "name": "NPS",
                                             "config": {"texts": {"en": TEXTS_EN}}},
                        headers=site.auth("admin"))
    assert reply.status_code == 422
    assert reply.json["error"]["field"] == "key"
    listed = client.get("/v1/responses", query_string={"survey": key},
                        headers=site.auth("read"))
    assert listed.status_code == 422 and listed.json["error"]["field"] == "survey"


def test_a_brand_colour_with_a_line_break_is_refused(client: FlaskClient,
                                                      site: SiteKeys) -> None:
    reply = client.post("/v1/surveys", json={
        "key": "nps", "name": "NPS",
        "config": {"texts": {"en": TEXTS_EN}, "appearance": {"brand_color": "#ffffff\n"}}},
                        headers=site.auth("admin"))
    assert reply.status_code == 422
    assert reply.json["error"]["field"] == "config.appearance.brand_color"


def test_internal_patterns_refuse_a_trailing_newline() -> None:
    assert PROPERTY_NAME.match("plan\n") is None
    assert _SANE.match("req-1\n") is None
