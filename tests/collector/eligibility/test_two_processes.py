"""Two collector processes on one PostgreSQL database, started as deployed (gunicorn,
``collector.wsgi:app``) on loopback: whichever process answers, a person gets the same
decision; a display one records, the other sees; triggers racing through both make one
pending invitation.

``test_postgres.py`` checks the same promises with two apps inside this process; here
nothing is shared but the database, as between two machines behind a load balancer.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench.harness import GunicornSettings, Server, collector_env, start_collectors
from collector.models import Invitation, Person
from tests.factories import SiteKeys, make_site, make_survey

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PEOPLE = [f"person-{n:03d}" for n in range(300)]
# 30% sampled, and the fatigue rules a display or a decline starts.
RULES = {"sample_rate": 0.3, "recontact_days": 30, "decline_days": 60, "max_surveys": 4}
# One worker each: two collectors are two OS processes; threads let requests overlap inside
# each of them too, as they do in production.
SETTINGS = GunicornSettings(workers=1, threads=4, timeout=30)
REQUEST_TIMEOUT = 15  # seconds; every wait in this file is bounded
# How long each process may keep a survey it has read (collector/core/config_cache.py); short here
# so the test of a change reaching the other process stays quick.
CONFIG_CACHE_SECONDS = 2
# Never a proxy, whatever the environment says: the collectors listen on 127.0.0.1 only.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Collector:
    """One collector process, spoken to over HTTP with one site's keys."""

    server: Server
    keys: SiteKeys

    def post(self, path: str, body: dict[str, Any], role: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.server.url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", **self.keys.auth(role)})
        try:
            with _OPENER.open(request, timeout=REQUEST_TIMEOUT) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def ok(self, path: str, body: dict[str, Any], role: str = "secret") -> dict[str, Any]:
        status, answer = self.post(path, body, role)
        assert status == 200, (self.server.name, path, body, status, answer,
                               self.server.log_tail())
        return answer

    def eligibility(self, user_id: str, *, dry_run: bool) -> dict[str, Any]:
        return self.ok("/v1/eligibility", {"survey": "nps", "user_id": user_id,
                                           "dry_run": dry_run}, "publishable")

    def decide(self, user_id: str) -> tuple[bool, str]:
        answer = self.eligibility(user_id, dry_run=True)
        return answer["eligible"], answer["reason"]


@dataclass
class Pair:
    a: Collector
    b: Collector
    url: str  # the database both use


@pytest.fixture
def collectors(postgres_url: str, tmp_path: Path) -> Iterator[Pair]:
    """A site with one survey, then two collector processes on its database; both are
    stopped (SIGTERM, then SIGKILL after 15 s) before the database is emptied."""
    engine = create_engine(postgres_url)
    try:
        with Session(engine) as session:
            keys = make_site(session, now=datetime.now(UTC))
            make_survey(session, keys.site_id, "nps", rules=RULES, now=datetime.now(UTC))
    finally:
        engine.dispose()
    # Rate limits count per process and would refuse hundreds of checks from one loopback
    # address; they are not what is tested here.
    env = collector_env(postgres_url, tmp_path / "instance",
                        extra={"TENPOINT_RATE_LIMIT_ENABLED": "0",
                               "TENPOINT_CONFIG_CACHE_SECONDS": str(CONFIG_CACHE_SECONDS)})
    servers = start_collectors(2, env, tmp_path / "servers", settings=SETTINGS)
    try:
        yield Pair(Collector(servers[0], keys), Collector(servers[1], keys), postgres_url)
    finally:
        for server in servers:
            server.stop()


def _everyone(collector: Collector) -> list[tuple[bool, str]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(collector.decide, PEOPLE))


def test_both_processes_give_every_person_the_same_decision(collectors: Pair) -> None:
    a, b = collectors.a, collectors.b
    # History written through both processes, so every rule has someone to apply to.
    for person in PEOPLE[:10]:
        a.ok("/v1/tickets", {"ticket_id": f"T-{person}", "user_id": person, "status": "open"})
    shown = [answer["display_id"] for answer in
             (a.eligibility(person, dry_run=False) for person in PEOPLE[10:60])
             if answer["eligible"]]
    for display_id in shown[:3]:
        b.ok("/v1/declines", {"display_id": display_id}, "publishable")

    seen_by_a, seen_by_b = _everyone(a), _everyone(b)

    differ = [(person, one, two) for person, one, two in zip(PEOPLE, seen_by_a, seen_by_b,
                                                             strict=True) if one != two]
    assert differ == []
    assert all(eligible == (reason == "eligible") for eligible, reason in seen_by_a)
    assert {reason for _, reason in seen_by_a} == {
        "eligible", "not_sampled", "open_ticket", "recently_surveyed", "recently_declined"}


def test_a_display_recorded_by_either_process_holds_back_the_other(collectors: Pair) -> None:
    sampled = (p for p in PEOPLE if collectors.a.decide(p) == (True, "eligible"))
    for shows, asked in ((collectors.a, collectors.b), (collectors.b, collectors.a)):
        person = next(sampled)

        shown = shows.eligibility(person, dry_run=False)

        assert shown["eligible"] and shown["display_id"]
        assert asked.decide(person) == (False, "recently_surveyed")


def _race(collectors: Pair, person: str, per_process: int) -> list[tuple[int, dict[str, Any]]]:
    """``per_process`` triggers for ``person`` through each process, released together."""
    barrier = threading.Barrier(2 * per_process, timeout=REQUEST_TIMEOUT)
    answers: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()

    def fire(collector: Collector) -> None:
        barrier.wait()
        answer = collector.post("/v1/triggers", {"survey": "nps", "user_id": person,
                                                 "channel": "in_app"}, "secret")
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=fire, args=(collector,), daemon=True)
               for collector in (collectors.a, collectors.b) for _ in range(per_process)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * REQUEST_TIMEOUT)
    return answers


def _invitation_statuses(url: str, user_id: str) -> list[str]:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(
                select(Invitation.status).join(Person, Person.id == Invitation.person_id)
                .where(Person.external_id == user_id)))
    finally:
        engine.dispose()


def test_triggers_racing_through_both_processes_create_one_pending_invitation(
        collectors: Pair) -> None:
    racers = list(islice((p for p in PEOPLE if collectors.a.decide(p) == (True, "eligible")), 4))
    assert len(racers) == 4
    # Known people race on the invitation's unique index alone. For a new person the
    # triggers first race to create the person, which already lets only one go on at a time.
    known, new = racers[:2], racers[2:]
    for person in known:
        collectors.b.ok("/v1/people", {"user_id": person})
    for person in known + new:
        answers = _race(collectors, person, per_process=4)

        assert [status for status, _ in answers] == [200] * 8, answers
        assert len({body["invitation"]["id"] for _, body in answers}) == 1
        assert _invitation_statuses(collectors.url, person) == ["pending"]


def test_a_survey_change_reaches_the_other_process_within_the_cache_time(
        collectors: Pair) -> None:
    """The process that made the change applies it at once; the other one within
    ``TENPOINT_CONFIG_CACHE_SECONDS`` (docs/eligibility.md, "The hot path")."""
    a, b = collectors.a, collectors.b
    assert a.decide(PEOPLE[0])[1] != "survey_inactive"
    assert b.decide(PEOPLE[0])[1] != "survey_inactive"  # b now holds the survey
    request = urllib.request.Request(
        a.server.url + "/v1/surveys/nps", data=json.dumps({"active": False}).encode(),
        method="PATCH", headers={"Content-Type": "application/json", **a.keys.auth("admin")})
    with _OPENER.open(request, timeout=REQUEST_TIMEOUT) as answer:
        assert answer.status == 200

    assert a.decide(PEOPLE[0]) == (False, "survey_inactive")
    deadline = time.monotonic() + CONFIG_CACHE_SECONDS + REQUEST_TIMEOUT
    while b.decide(PEOPLE[0]) != (False, "survey_inactive"):
        assert time.monotonic() < deadline, "process b never saw the survey's change"
        time.sleep(0.2)
