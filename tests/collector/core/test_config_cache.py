"""The per-process configuration cache: what it keeps, for how long, and what empties it."""

from __future__ import annotations

import json

from flask import Flask
from sqlalchemy import select

from collector.access.keys import hash_key
from collector.core.config_cache import _CACHES, ConfigCache
from collector.core.extensions import db
from collector.models import ApiKey
from tests.factories import SiteKeys, Ticking


def test_an_entry_is_read_again_once_its_time_is_up() -> None:
    clock, loads = Ticking(), []
    cache = ConfigCache(5, clock)

    def load() -> str:
        loads.append(clock.now)
        return f"value read at {clock.now}"

    first = cache.get("k", load)
    clock.now += 4.9
    assert cache.get("k", load) == first
    clock.now += 0.2
    assert cache.get("k", load) != first
    assert len(loads) == 2


def test_nothing_found_is_not_remembered() -> None:
    """An unknown key asked twice is looked up twice: a key created meanwhile must work."""
    cache, loads = ConfigCache(5, Ticking()), []
    for _ in range(2):
        assert cache.get("k", lambda: loads.append(1)) is None
    assert len(loads) == 2


def test_a_ttl_of_zero_turns_the_cache_off() -> None:
    cache, loads = ConfigCache(0, Ticking()), []
    for _ in range(3):
        cache.get("k", lambda: loads.append(1) or "v")
    assert len(loads) == 3


def _eligibility(app: Flask, site: SiteKeys, survey: str) -> int:
    response = app.test_client().post(
        f"/v1/eligibility?key={site.publishable}",
        data=json.dumps({"survey": survey, "user_id": "u-1", "dry_run": True}),
        headers={"Content-Type": "text/plain"})
    return response.status_code


def test_a_publishable_key_revoked_through_this_process_stops_at_once(
        app: Flask, runner, site: SiteKeys, survey: str) -> None:
    assert _eligibility(app, site, survey) == 200  # now cached
    with app.app_context():
        key_id = db.session.scalars(
            select(ApiKey.id).where(ApiKey.key_hash == hash_key(site.publishable))).one()
    result = runner.invoke(args=["keys", "revoke", str(key_id)])
    assert result.exit_code == 0, result.output
    assert _eligibility(app, site, survey) == 401


def test_a_survey_change_through_this_process_is_seen_by_the_next_check(
        app: Flask, site: SiteKeys, survey: str) -> None:
    client = app.test_client()
    assert _eligibility(app, site, survey) == 200
    changed = client.patch(f"/v1/surveys/{survey}", json={"active": False},
                           headers=site.auth("admin"))
    assert changed.status_code == 200, changed.get_json()
    answer = client.post(f"/v1/eligibility?key={site.publishable}",
                         data=json.dumps({"survey": survey, "user_id": "u-2"}),
                         headers={"Content-Type": "text/plain"}).get_json()
    assert answer["reason"] == "survey_inactive"


def test_a_publishable_key_revoked_elsewhere_stops_within_the_ttl(
        make_app, sqlite_url: str, app: Flask, runner, site: SiteKeys, survey: str) -> None:
    """Another process (here: another app on the same database) keeps its snapshot of the key
    until its entry expires, then reads the revocation: docs/protection.md, "Keys"."""
    other = make_app(sqlite_url)
    ticking = Ticking()
    cache = other.extensions["tenpoint_config_cache"]
    cache._clock = ticking
    _CACHES.discard(cache)  # another process: a commit here does not empty its cache
    assert _eligibility(other, site, survey) == 200  # cached in the other process
    with app.app_context():
        key_id = db.session.scalars(
            select(ApiKey.id).where(ApiKey.key_hash == hash_key(site.publishable))).one()
    assert runner.invoke(args=["keys", "revoke", str(key_id)]).exit_code == 0
    assert _eligibility(app, site, survey) == 401
    ticking.now += 4.9
    assert _eligibility(other, site, survey) == 200
    ticking.now += 0.2
    assert _eligibility(other, site, survey) == 401


def test_the_cache_time_is_bounded_however_it_is_set(make_app, sqlite_url: str) -> None:
    configured = make_app(sqlite_url, CONFIG_CACHE_SECONDS=86400)
    assert configured.extensions["tenpoint_config_cache"].ttl == 60.0
