"""Ids and times beyond what a column holds are answered as "not found" or a 422 naming the
field, on both databases, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from collector.core.clock import now
from tests.factories import SiteKeys

EXTREMES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "3000-01-01T00:00:00Z"]


@pytest.mark.parametrize("ident", [2**31, 2**63 - 1, 10**30])
@pytest.mark.parametrize("path", ["/v1/responses/{}", "/v1/people/{}", "/v1/webhooks/{}",
                                  "/v1/invitations/{}", "/v1/any_site/{}"])
def test_an_id_beyond_the_column_range_is_a_404(
    any_client: FlaskClient, any_site: SiteKeys, path: str, ident: int
) -> None:
    for method in ("get", "patch", "delete"):
        reply = getattr(any_client, method)(path.format(ident), json={},
                                            headers=any_site.auth("admin"))
        assert reply.status_code in (404, 405), (method, reply.status_code, reply.json)
        assert "error" in reply.json


@pytest.mark.parametrize("path", ["/v1/responses", "/v1/invitations", "/v1/audit"])
def test_a_cursor_naming_an_id_beyond_the_range_is_refused(
    any_client: FlaskClient, any_site: SiteKeys, path: str
) -> None:
    import base64

    for raw in (f"2026-01-01T00:00:00+00:00|{2**40}", f"i{2**40}", f"audit|{2**40}"):
        cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
        reply = any_client.get(path, query_string={"cursor": cursor},
                               headers=any_site.auth("admin"))
        assert reply.status_code == 422, (path, raw, reply.json)
        assert reply.json["error"]["field"] == "cursor"


@pytest.mark.parametrize("moment", EXTREMES)
@pytest.mark.parametrize("path", ["/v1/responses", "/v1/metrics/nps", "/v1/exports/responses",
                                  "/v1/audit"])
def test_an_extreme_date_in_a_list_filter_is_a_422_naming_it(
    any_client: FlaskClient, any_site: SiteKeys, path: str, moment: str
) -> None:
    for name in ("since", "until"):
        reply = any_client.get(path, query_string={name: moment}, headers=any_site.auth("admin"))
        assert reply.status_code == 422, (path, name, reply.status_code)
        assert reply.json["error"]["field"] == name


@pytest.mark.parametrize("moment", EXTREMES)
def test_an_extreme_date_in_a_ticket_or_trigger_is_a_422_naming_it(
    any_client: FlaskClient, any_site: SiteKeys, moment: str
) -> None:
    ticket = any_client.post("/v1/tickets", json={"ticket_id": "T-1", "user_id": "u-1",
                                                  "status": "open", "at": moment},
                             headers=any_site.auth("secret"))
    assert ticket.status_code == 422 and ticket.json["error"]["field"] == "at"
    trigger = any_client.post("/v1/triggers", json={"survey": "nps", "user_id": "u-1",
                                                    "send_at": moment},
                              headers=any_site.auth("secret"))
    assert trigger.status_code == 422 and trigger.json["error"]["field"] == "send_at"


def test_a_ticket_event_dated_far_ahead_cannot_pin_its_status(
    any_client: FlaskClient, any_site: SiteKeys
) -> None:
    ahead = (now() + timedelta(days=2)).isoformat()
    pinned = any_client.post("/v1/tickets", json={"ticket_id": "T-1", "user_id": "u-1",
                                                  "status": "open", "at": ahead},
                             headers=any_site.auth("secret"))
    assert pinned.status_code == 422 and pinned.json["error"]["field"] == "at"
    soon = (now() + timedelta(hours=2)).isoformat()
    skewed = any_client.post("/v1/tickets", json={"ticket_id": "T-1", "user_id": "u-1",
                                                  "status": "open", "at": soon},
                             headers=any_site.auth("secret"))
    assert skewed.status_code == 200
