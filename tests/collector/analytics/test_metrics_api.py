"""GET /v1/metrics/nps: figures computed in SQL, identical on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.collector.conftest import START, Stage


def test_the_overall_score_comes_with_its_interval(any_stage: Stage) -> None:
    for score in (10, 10, 9, 9, 10, 9, 8, 7, 3, 0):
        any_stage.add(score)
    body = any_stage.get("/v1/metrics/nps").json
    assert body["nps"] == pytest.approx(40.0)
    assert (body["promoters"], body["passives"], body["detractors"]) == (6, 2, 2)
    assert body["n"] == body["total"] == 10 and body["effective_n"] == 10
    assert body["interval"]["low"] == pytest.approx(-12.586, abs=0.01)
    assert body["interval"]["high"] == pytest.approx(74.124, abs=0.01)
    assert body["shares"] == {"promoters": 0.6, "passives": 0.2, "detractors": 0.2}
    assert body["groups"] == [] and body["weighted"] is False


def test_quarantined_answers_are_counted_apart_not_in_the_score(any_stage: Stage) -> None:
    any_stage.add(10)
    any_stage.add(0, verdict="quarantined")
    any_stage.add(0, verdict="quarantined")
    any_stage.add(9, verdict="released")
    body = any_stage.get("/v1/metrics/nps").json
    assert body["nps"] == 100.0 and body["total"] == 2
    assert body["quarantined"] == 2


@pytest.mark.parametrize("column", ["touchpoint", "channel", "locale"])
def test_grouping_by_a_column(any_stage: Stage, column: str) -> None:
    values = {"touchpoint": ("checkout", "support"), "channel": ("email", "in_app"),
              "locale": ("de", "en")}[column]
    for score in (10, 9, 0):
        any_stage.add(score, **{column: values[0]})
    any_stage.add(3, **{column: values[1]})
    body = any_stage.get("/v1/metrics/nps", group_by=column).json
    groups = {group["key"]: group for group in body["groups"]}
    assert set(groups) == set(values)
    assert groups[values[0]]["nps"] == pytest.approx(100 / 3)
    assert groups[values[0]]["n"] == 3
    assert groups[values[1]]["nps"] == -100.0
    assert body["nps"] == pytest.approx(0.0) and body["total"] == 4
    assert body["group_by"] == column


def test_answers_without_the_grouped_field_form_their_own_group(any_stage: Stage) -> None:
    any_stage.add(10, touchpoint="checkout")
    any_stage.add(0)
    groups = {g["key"]: g["n"] for g in any_stage.get("/v1/metrics/nps",
                                                      group_by="touchpoint").json["groups"]}
    assert groups == {"checkout": 1, None: 1}


def test_grouping_by_a_person_property(any_stage: Stage) -> None:
    any_stage.add(10, properties={"plan": "pro"})
    any_stage.add(9, properties={"plan": "pro"})
    any_stage.add(2, properties={"plan": "free"})
    any_stage.add(8, properties={})
    body = any_stage.get("/v1/metrics/nps", group_by="property:plan").json
    assert {g["key"]: g["nps"] for g in body["groups"]} == {"pro": 100.0, "free": -100.0,
                                                              None: 0.0}


def test_grouping_by_day_week_and_month(any_stage: Stage) -> None:
    # 2026-03-02 is a Monday; 2026-03-08 its Sunday; 2026-03-09 the next Monday.
    any_stage.add(10, at=START)
    any_stage.add(0, at=START.replace(day=8, hour=23, minute=59))
    any_stage.add(9, at=START.replace(day=9, hour=0, minute=1))
    any_stage.add(7, at=START.replace(month=4, day=1))

    def keys(unit: str) -> dict[str | None, int]:
        body = any_stage.get("/v1/metrics/nps", group_by=unit).json
        return {g["key"]: g["n"] for g in body["groups"]}

    assert keys("day") == {"2026-03-02": 1, "2026-03-08": 1, "2026-03-09": 1, "2026-04-01": 1}
    assert keys("week") == {"2026-03-02": 2, "2026-03-09": 1, "2026-03-30": 1}
    assert keys("month") == {"2026-03-01": 3, "2026-04-01": 1}


def test_since_and_until_bound_the_span(any_stage: Stage) -> None:
    any_stage.add(0, at=START - timedelta(days=1))
    any_stage.add(10, at=START)
    any_stage.add(0, at=START + timedelta(days=1))
    body = any_stage.get("/v1/metrics/nps", since=START.isoformat(),
                         until=(START + timedelta(days=1)).isoformat()).json
    assert (body["total"], body["nps"]) == (1, 100.0)


def test_weighting_by_customer_value(any_stage: Stage) -> None:
    any_stage.add(10, value=100.0)
    any_stage.add(8, value=10.0)
    any_stage.add(3, value=10.0)
    any_stage.add(0, value=10.0)
    body = any_stage.get("/v1/metrics/nps", weight="value").json
    assert body["weighted"] is True
    assert body["nps"] == pytest.approx(100 * 80 / 130)
    assert body["effective_n"] == pytest.approx(16900 / 10300)
    assert body["n"] == 4
    unweighted = any_stage.get("/v1/metrics/nps").json
    assert unweighted["nps"] == pytest.approx(-25.0)


def test_weighted_groups_add_up_to_the_weighted_total(any_stage: Stage) -> None:
    any_stage.add(10, value=50.0, touchpoint="a")
    any_stage.add(0, value=10.0, touchpoint="a")
    any_stage.add(9, value=5.0, touchpoint="b")
    body = any_stage.get("/v1/metrics/nps", weight="value", group_by="touchpoint").json
    assert body["nps"] == pytest.approx(100 * 45 / 65)
    assert {g["key"]: round(g["nps"], 3) for g in body["groups"]} == {
        "a": round(100 * 40 / 60, 3), "b": 100.0}


def test_answers_without_a_value_weigh_nothing(any_stage: Stage) -> None:
    any_stage.add(10, value=20.0)
    any_stage.add(0)
    body = any_stage.get("/v1/metrics/nps", weight="value").json
    assert body["nps"] == 100.0 and body["n"] == 2 and body["effective_n"] == 1.0


def test_an_unknown_group_is_refused(stage: Stage) -> None:
    answer = stage.get("/v1/metrics/nps", group_by="colour")
    assert answer.status_code == 422 and answer.json["error"]["code"] == "unknown_group"
    answer = stage.get("/v1/metrics/nps", group_by="property:a b")
    assert answer.status_code == 422


def test_an_unknown_weight_is_refused(stage: Stage) -> None:
    assert stage.get("/v1/metrics/nps", weight="revenue").status_code == 422


def test_metrics_are_only_for_the_keys_own_site(stage: Stage) -> None:
    stage.add(10)
    from collector.core.extensions import db
    from tests.factories import make_site

    with stage.app.app_context():
        other = make_site(db.session, "other")
    body = stage.client.get("/v1/metrics/nps", headers=other.auth("read")).json
    assert body["total"] == 0 and body["nps"] is None


def test_a_publishable_key_cannot_read_metrics(stage: Stage) -> None:
    assert stage.get("/v1/metrics/nps", role="publishable").status_code == 403


def _ticket(stage: Stage, user_id: str, external_id: str, opened: int, resolved: float | None
            ) -> None:
    from collector.core.extensions import db
    from collector.models import Ticket
    from collector.people.lookup import find_person

    with stage.app.app_context():
        person = find_person(db.session, stage.keys.site_id, user_id=user_id)
        assert person is not None
        created = START - timedelta(days=opened)
        db.session.add(Ticket(
            site_id=stage.keys.site_id, person_id=person.id, external_id=external_id,
            status="solved" if resolved is not None else "open", status_at=created,
            resolved_at=created + timedelta(hours=resolved) if resolved is not None else None,
            created_at=created, updated_at=created))
        db.session.commit()


def test_grouping_by_the_resolution_time_of_the_last_ticket(any_stage: Stage) -> None:
    any_stage.add(10, user_id="fast")
    any_stage.add(0, user_id="slow")
    any_stage.add(8, user_id="none")
    any_stage.add(9, user_id="open-only")
    _ticket(any_stage, "fast", "T-1", opened=10, resolved=100.0)  # older and slow
    _ticket(any_stage, "fast", "T-2", opened=2, resolved=0.5)  # the last one: fast
    _ticket(any_stage, "slow", "T-3", opened=9, resolved=30.0)
    _ticket(any_stage, "open-only", "T-4", opened=1, resolved=None)
    body = any_stage.get("/v1/metrics/nps", group_by="ticket_resolution").json
    assert {g["key"]: g["nps"] for g in body["groups"]} == {
        "under_1h": 100.0, "1d_to_3d": -100.0, "no_ticket": 100.0 / 2}
    assert body["total"] == 4


def test_exclusions_by_reason_are_reported_for_the_span(any_stage: Stage) -> None:
    from datetime import date

    from collector.core.extensions import db
    from collector.core.survey_lookup import find_survey
    from collector.models import DecisionCount

    with any_stage.app.app_context():
        survey = find_survey(db.session, any_stage.keys.site_id, "nps")
        assert survey is not None
        for day, reason, count in ((date(2026, 3, 1), "recently_surveyed", 5),
                                   (date(2026, 3, 2), "recently_surveyed", 7),
                                   (date(2026, 3, 2), "not_sampled", 40),
                                   (date(2026, 3, 2), "eligible", 12),
                                   (date(2026, 3, 3), "open_ticket", 1)):
            db.session.add(DecisionCount(site_id=any_stage.keys.site_id, survey_id=survey.id,
                                         day=day, reason=reason, count=count))
        db.session.commit()
    body = any_stage.get("/v1/metrics/nps", since="2026-03-02T00:00:00Z",
                         until="2026-03-03T00:00:00Z").json
    assert body["excluded"] == {"not_sampled": 40, "recently_surveyed": 7}
    assert body["excluded_total"] == 47
    everything = any_stage.get("/v1/metrics/nps").json
    assert everything["excluded"]["recently_surveyed"] == 12
    assert everything["excluded"]["open_ticket"] == 1
