"""A site may allow repeat answers from one browser (the demo does: "Ask me again")."""

from __future__ import annotations

import json

from tests.collector.protection.conftest import browser_headers, world


def test_asking_again_on_a_site_that_allows_repeats_is_not_a_repeat_answer(protected) -> None:
    w = world(protected(), allow_repeat_answers=True)
    client = w.app.test_client()
    verdicts = [client.post(f"/v1/responses?key={w.keys.publishable}", headers=browser_headers(),
                            data=json.dumps({"survey": w.survey, "score": score})).json["verdict"]
                for score in (3, 10)]
    assert verdicts == ["accepted", "accepted"]
