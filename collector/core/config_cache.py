"""Per-process snapshots of what every widget request reads: its key, its site, its survey.

Why: the eligibility check and the submit run on every page view of the host product, and
reading the key, the site and the survey with its version cost three of their statements.
These change a few times a month, so each process keeps a snapshot for a few seconds
(``TENPOINT_CONFIG_CACHE_SECONDS``, default 5; 0 turns the cache off):

- a change committed through this process (API, CLI, worker) empties the cache at once;
  other processes see it within the TTL (docs/eligibility.md, "Speed");
- only **publishable** keys are cached: they are public by design (they sit in every page
  of the host product), so a revoked one working for five more seconds (at most
  ``MAX_TTL_SECONDS`` however the setting is set) exposes nothing.
  Secret, read and admin keys are looked up on every request, so revoking one stops it at
  the next request in every process;
- a survey version never changes once written, so its rendered display per locale is kept
  (bounded) without expiry.

Snapshots are frozen dataclasses with the attribute names of the models they copy, so the
rule code reads a snapshot or a model alike.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from collector.core.survey_lookup import find_survey, list_surveys
from collector.models import ApiKey, Site, Survey, SurveyVersion

EXTENSION = "tenpoint_config_cache"
MAX_PAYLOADS = 2048
WATCHED = (Site, ApiKey, Survey, SurveyVersion)


@dataclass(frozen=True)
class SiteSnapshot:
    id: int
    default_locale: str
    identity_secret: str
    require_identity: bool
    settings: dict[str, Any]
    allowed_origins: tuple[str, ...]



@dataclass(frozen=True)
class VersionSnapshot:
    id: int
    number: int
    name: str
    config: dict[str, Any]


@dataclass(frozen=True)
class SurveySnapshot:
    id: int
    site_id: int
    key: str
    active: bool
    salt: str
    current_version_id: int | None
    current_version: VersionSnapshot | None = field(compare=False)

    @classmethod
    def of(cls, survey: Survey) -> SurveySnapshot:
        version = survey.current_version
        copied = None if version is None else VersionSnapshot(
            version.id, version.number, version.name, version.config)
        return cls(survey.id, survey.site_id, survey.key, survey.active, survey.salt,
                   survey.current_version_id, copied)


class ConfigCache:
    """Entries expire ``ttl`` seconds after they were read; ``clear`` drops them all."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._payloads: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value for ``key``, or ``load()`` (cached unless it is ``None``)."""
        if self.ttl <= 0:
            return load()
        entry = self._entries.get(key)
        moment = self._clock()
        if entry is not None and entry[0] > moment:
            return entry[1]
        value = load()
        if value is not None:
            with self._lock:
                self._entries[key] = (moment + self.ttl, value)
        return value

    def payload(self, key: Hashable, render: Callable[[], Any]) -> Any:
        """Immutable renderings (a survey version in one locale): kept until evicted."""
        found = self._payloads.get(key)
        if found is None:
            found = render()
            with self._lock:
                if len(self._payloads) >= MAX_PAYLOADS:
                    self._payloads.clear()
                self._payloads[key] = found
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# Every cache in the process; a commit that changed a watched row clears them all (an app
# cannot tell from a session which app it belongs to, and clearing too much is harmless).
_CACHES: weakref.WeakSet[ConfigCache] = weakref.WeakSet()


# However long TENPOINT_CONFIG_CACHE_SECONDS is set, a revoked publishable key, a site's
# removed origin or a deactivated survey reaches every process within this bound.
MAX_TTL_SECONDS = 60.0


def init_app(app: Flask) -> None:
    cache = ConfigCache(min(float(app.config["CONFIG_CACHE_SECONDS"]), MAX_TTL_SECONDS))
    _CACHES.add(cache)
    app.extensions[EXTENSION] = cache


def config_cache() -> ConfigCache:
    cache: ConfigCache = current_app.extensions[EXTENSION]
    return cache


def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, WATCHED):
            session.info["tenpoint_config_changed"] = True
            return


def _clear_after_commit(session: Session) -> None:
    if session.info.pop("tenpoint_config_changed", False):
        for cache in _CACHES:
            cache.clear()


event.listen(Session, "before_flush", _note_changes)
event.listen(Session, "after_commit", _clear_after_commit)


def cached_survey(cache: ConfigCache, session: Session, site_id: int,
                  key: str) -> SurveySnapshot | None:
    """The site's survey ``key`` with its current version (``None``: no such survey)."""
    def load() -> SurveySnapshot | None:
        found = find_survey(session, site_id, key, with_version=True)
        return SurveySnapshot.of(found) if found is not None else None
    found: SurveySnapshot | None = cache.get(("survey", site_id, key), load)
    return found


def cached_surveys(cache: ConfigCache, session: Session,
                   site_id: int) -> tuple[SurveySnapshot, ...]:
    """Every survey of the site, by key (what a page view without a survey key matches)."""
    found: tuple[SurveySnapshot, ...] = cache.get(("surveys", site_id), lambda: tuple(
        SurveySnapshot.of(survey) for survey in list_surveys(session, site_id)))
    return found
