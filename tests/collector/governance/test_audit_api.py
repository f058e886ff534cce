"""GET /v1/audit: the trail of changes, filtered and paged."""

from __future__ import annotations

from tests.collector.conftest import Stage


def _changes(stage: Stage) -> None:
    auth = stage.keys.auth()
    for name in ("One", "Two", "Three"):
        assert stage.client.patch("/v1/surveys/nps", json={"name": name},
                                  headers=auth).status_code == 200
    stage.client.post("/v1/people", json={"user_id": "u-1"}, headers=auth)


def test_the_trail_lists_changes_newest_first_with_who_and_what(any_stage: Stage) -> None:
    _changes(any_stage)
    data = any_stage.get("/v1/audit").json["data"]
    assert [e["action"] for e in data] == ["person.upserted", "survey.updated", "survey.updated",
                                           "survey.updated", "survey.created"]
    update = data[1]
    assert update["changes"]["name"] == {"from": "Two", "to": "Three"}
    assert update["actor"].startswith("key:") and update["at"]


def test_filter_by_entity_and_action(stage: Stage) -> None:
    _changes(stage)
    surveys = stage.get("/v1/audit", entity="survey").json["data"]
    assert {e["entity_type"] for e in surveys} == {"survey"} and len(surveys) == 4
    one = stage.get("/v1/audit", entity=f"survey:{surveys[0]['entity_id']}").json["data"]
    assert len(one) == 4
    assert len(stage.get("/v1/audit", action="survey.created").json["data"]) == 1
    assert stage.get("/v1/audit", since="2100-01-01T00:00:00Z").json["data"] == []


def test_cursor_paging_walks_the_whole_trail(stage: Stage) -> None:
    _changes(stage)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = stage.get("/v1/audit", **params).json
        seen += [e["id"] for e in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert len(seen) == 5 and seen == sorted(seen, reverse=True)


def test_a_forged_cursor_is_refused(stage: Stage) -> None:
    answer = stage.get("/v1/audit", cursor="bm9wZQ")
    assert answer.status_code == 422 and answer.json["error"]["code"] == "invalid_cursor"


def test_read_keys_read_the_trail_but_publishable_keys_do_not(stage: Stage) -> None:
    assert stage.get("/v1/audit", role="read").status_code == 200
    assert stage.get("/v1/audit", role="publishable").status_code == 403
    assert stage.client.post("/v1/audit", headers=stage.keys.auth("read")).status_code == 405
