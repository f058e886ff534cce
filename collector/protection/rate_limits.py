"""Rate limits per client IP, fingerprint, site and API key, by endpoint category.

Counters live in Redis (``TENPOINT_REDIS_URL``) so every collector process shares one count,
or, when no Redis is configured, in a small SQLite file the worker processes of one
collector share (``TENPOINT_RATE_LIMIT_FILE``, collector/protection/shared_counters.py). A
Redis that stops answering never turns into a 500: the collector falls back to that file,
logs a warning (once per outage), and tries Redis again after
``TENPOINT_RATE_LIMIT_REDIS_RETRY`` seconds. A file that cannot be used falls back to process
memory, with a warning.

Limits are checked in a ``before_request`` hook, so views stay unaware of them; endpoints are
mapped to a category by path and method (see ``category_of``). docs/protection.md has the why.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import sqlite3
import tempfile
import threading
import time
from functools import lru_cache
from typing import Any, NamedTuple

from flask import Flask, Response, current_app, g, request
from limits import RateLimitItem, parse

from collector.access.auth import lookup_key, raw_key_from_request
from collector.core.errors import APIError
from collector.core.redis_urls import FAILURES, RedisURLError, connect, parse_redis_url
from collector.protection.fingerprints import caller_fingerprint
from collector.protection.gcra import REDIS_SCRIPT, Hit, MemoryCounters, Verdict, verdict_of
from collector.protection.shared_counters import SharedFileCounters

log = logging.getLogger(__name__)

CATEGORIES = ("eligibility", "submit", "tickets", "admin")
SCOPES = ("ip", "fingerprint", "site", "key")
# Browser-facing categories are also counted per fingerprint; backends calling with a
# secret key share one IP and one user agent, so for them the key is the meaningful unit.
SERVER_ROLES_PREFIXES = ("sk_", "rk_", "ak_")
EXTENSION = "tenpoint_ratelimit"


class RateLimitConfigError(ValueError):
    pass


def parse_limits(text: str) -> dict[str, RateLimitItem]:
    """``"ip=60/minute; fingerprint=10/minute"`` -> ``{"ip": <60 per 1 minute>, …}``.

    A scope left out is not limited; ``off`` (or an empty string) disables the category.
    """
    limits: dict[str, RateLimitItem] = {}
    if text.strip().lower() in {"", "off", "none"}:
        return limits
    for part in text.split(";"):
        if not part.strip():
            continue
        scope, sep, amount = part.partition("=")
        scope = scope.strip().lower()
        if not sep or scope not in SCOPES:
            raise RateLimitConfigError(
                f"rate limit {part.strip()!r}: expected <scope>=<n>/<period>, scope one of "
                f"{', '.join(SCOPES)}")
        try:
            limits[scope] = parse(amount.strip())
        except ValueError as error:
            raise RateLimitConfigError(f"rate limit {part.strip()!r}: {error}") from error
    return limits


def category_of(method: str, path: str) -> str | None:
    """Which limits apply to a request; ``None`` for what is not limited (pages, assets)."""
    if method == "OPTIONS":
        return None
    if path.startswith("/s/"):
        return "submit" if method == "POST" else None
    if not (path.startswith("/v1/") or path.startswith("/delighted/")):
        return None
    if path.startswith(("/v1/eligibility", "/v1/declines")):
        return "eligibility"
    if path.startswith("/v1/tickets"):
        return "tickets"
    if path.startswith("/v1/responses") and method in {"POST", "PATCH"} \
            and not path.endswith("/release"):
        return "submit"
    return "admin"


class FallbackLimiter:
    """GCRA counters in Redis, falling back to process memory while Redis fails."""

    def __init__(self, redis_url: str | None, prefix: str, retry_seconds: float,
                 shared_file: str | None = None) -> None:
        self.redis_url = redis_url
        self.prefix = prefix
        self.retry_seconds = retry_seconds
        self._memory = MemoryCounters()
        self._file = SharedFileCounters(shared_file) if shared_file else None
        self._file_failed = False
        self._script: Any = None
        self._cluster = parse_redis_url(redis_url).mode == "cluster" if redis_url else False
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _shared_script(self) -> Any:
        """The script on a client for ``TENPOINT_REDIS_URL``; ``None`` while Redis is down.
        Made again after each outage: a Sentinel is asked for the master again, a cluster
        for its slot map (collector/core/redis_urls.py). Can raise ``FAILURES``."""
        if not self.redis_url:
            return None
        if self._down_until and time.monotonic() < self._down_until:
            return None
        if self._script is None:
            with self._lock:
                if self._script is None:
                    self._script = connect(self.redis_url, timeout=0.25).register_script(
                        REDIS_SCRIPT)
        return self._script

    def redis_key(self, counter: str) -> str:
        """A counter's Redis key. In a cluster, the counters one Lua call touches must share
        a hash slot: ``{<prefix>:<category>}`` tags every counter with its category, and one
        request's counters are all of one category (docs/protection.md, "Cluster")."""
        if self._cluster:
            category, _, rest = counter.partition(":")
            return f"{{{self.prefix}:{category}}}:{rest}"
        return f"{self.prefix}:{counter}"

    def _mark_down(self, error: BaseException) -> None:
        first = self._down_until == 0.0
        self._down_until = time.monotonic() + self.retry_seconds
        if first:
            log.warning("rate-limit storage %s unreachable (%s); using per-process limits, "
                        "retrying every %ss", _redacted(self.redis_url), error,
                        self.retry_seconds)

    def _mark_up(self) -> None:
        if self._down_until:
            log.warning("rate-limit storage %s answers again; shared limits restored",
                        _redacted(self.redis_url))
        self._down_until = 0.0

    @property
    def degraded(self) -> bool:
        return bool(self.redis_url) and self._down_until != 0.0

    def hit_all(self, hits: list[Hit]) -> list[Verdict]:
        """Count ``hits`` (amount, period, counter) in order up to the first refused one; a
        verdict for each counted. All of them in one Redis round trip."""
        if self.redis_url and hits:
            try:
                script = self._shared_script()
                rows = None if script is None else script(
                    keys=[self.redis_key(name) for _, _, name in hits],
                    args=[value for amount, period, _ in hits for value in (amount, period)])
            except FAILURES as error:
                self._script = None  # a new client, and a new master or slot map, next time
                self._mark_down(error)
                rows = None
            if rows is not None:
                self._mark_up()
                return [verdict_of(amount, period, bool(allowed), float(tat), float(now))
                        for (allowed, tat, now), (amount, period, _) in zip(rows, hits,
                                                                           strict=False)]
        return self._local_hit_all(hits)

    def _local_hit_all(self, hits: list[Hit]) -> list[Verdict]:
        """The workers' shared file; this process's memory if the file fails."""
        if self._file is not None:
            try:
                verdicts = self._file.hit_all(hits)
            except sqlite3.Error as error:
                if not self._file_failed:
                    log.warning("rate-limit file %s unusable (%s); counting per process",
                                self._file.path, error)
                self._file_failed = True
            else:
                self._file_failed = False
                return verdicts
        return self._memory.hit_all(hits)


def _redacted(url: str | None) -> str:
    if not url:
        return "memory://"
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


class ScopeLimit(NamedTuple):
    """A category's limit for one scope, with its counter names' fixed parts made once."""

    scope: str
    amount: int
    period: int
    prefix: str  # "<category>:<scope>:"
    suffix: str  # ":<amount>/<period>"

    def check(self, identifier: str) -> Check:
        return Check(self, f"{self.prefix}{identifier}{self.suffix}")


class Check(NamedTuple):
    """One counter a request hits: its scope's limit, and its name in the limiter."""

    limit: ScopeLimit
    counter: str


def _scope_limits(category: str, text: str) -> dict[str, ScopeLimit]:
    limits = {}
    for scope, item in parse_limits(text).items():
        amount, period = item.amount, item.get_expiry()
        limits[scope] = ScopeLimit(scope, amount, period, f"{category}:{scope}:",
                                   f":{amount}/{period}")
    return limits


@lru_cache(maxsize=1024)
def _key_digest(raw: str) -> str:
    # Keys are never written to Redis in the clear, not even as counter names. Cached: a
    # widget's publishable key is the same on every page view of a site.
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def checks_for(scopes: dict[str, ScopeLimit], environ: dict[str, Any]) -> list[Check]:
    raw_key = raw_key_from_request()
    server = raw_key is not None and raw_key.startswith(SERVER_ROLES_PREFIXES)
    checks: list[Check] = []
    if not server:
        if (ip := scopes.get("ip")) is not None:
            checks.append(ip.check(environ.get("REMOTE_ADDR") or "unknown"))
        if (fingerprinted := scopes.get("fingerprint")) is not None:
            checks.append(fingerprinted.check(caller_fingerprint()))
    if raw_key is not None:
        if (keyed := scopes.get("key")) is not None:
            checks.append(keyed.check(_key_digest(raw_key)))
        if (site := scopes.get("site")) is not None:
            key = lookup_key(raw_key)
            if key is not None:
                checks.append(site.check(str(key.site_id)))
    return checks


def enforce_rate_limits() -> None:
    config = current_app.config
    if not config["RATE_LIMIT_ENABLED"]:
        return
    # The environ, read once: it runs on every request (docs/decisions.md, "Per-request
    # overheads").
    environ = request.environ
    category = category_of(environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/")
    if category is None:
        return
    scopes = config["RATE_LIMIT_SCOPES"][category]
    if not scopes:
        return
    limiter: FallbackLimiter = current_app.extensions[EXTENSION]
    checks = checks_for(scopes, environ)
    verdicts = limiter.hit_all([(check.limit.amount, check.limit.period, check.counter)
                                for check in checks])
    tightest: tuple[ScopeLimit, Verdict] | None = None
    for (limit, _), verdict in zip(checks, verdicts, strict=False):
        if not verdict.allowed:
            headers = _headers(limit.amount, verdict)
            headers["Retry-After"] = str(max(1, math.ceil(verdict.retry_after)))
            raise APIError(429, "rate_limited",
                           f"Too many requests ({limit.amount} per {limit.period} s per "
                           f"{limit.scope}); retry after {headers['Retry-After']} s.",
                           headers=headers)
        if tightest is None or verdict.remaining < tightest[1].remaining:
            tightest = (limit, verdict)
    if tightest is not None:
        g.rate_limit_headers = _headers(tightest[0].amount, tightest[1])


def _headers(amount: int, verdict: Verdict) -> dict[str, str]:
    return {"RateLimit-Limit": str(amount),
            "RateLimit-Remaining": str(verdict.remaining),
            "RateLimit-Reset": str(max(1, math.ceil(verdict.reset_after)))}


def _add_headers(response: Response) -> Response:
    # Set only where the limits were checked and passed: a refusal (429) carries its own.
    for name, value in (g.get("rate_limit_headers") or {}).items():
        response.headers[name] = value
    return response


def configure(config: dict[str, Any]) -> None:
    """Parse the category settings into ``config["RATE_LIMIT_SCOPES"]`` (fails fast on
    typos)."""
    config["RATE_LIMIT_SCOPES"] = {
        category: _scope_limits(category, str(config[f"RATE_LIMIT_{category.upper()}"]))
        for category in CATEGORIES
    }


def shared_file(config: dict[str, Any]) -> str | None:
    """Where the workers of this collector share their counts (``None``: process memory).
    ``auto`` names the file after the database and prefix, so the workers of one collector,
    which share both, find the same file, and two collectors on one machine do not."""
    setting = str(config.get("RATE_LIMIT_FILE") or "auto")
    if setting == "memory":
        return None
    if setting != "auto":
        return setting
    digest = hashlib.sha256(f"{config.get('RATE_LIMIT_PREFIX')}\x1f"
                            f"{config.get('DATABASE_URL')}".encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"tenpoint-ratelimit-{digest}.sqlite")


def init_app(app: Flask) -> None:
    configure(app.config)
    if app.config.get("RATE_LIMIT_ENABLED") is None:
        # Other features' tests drive one test client far past browser limits.
        app.config["RATE_LIMIT_ENABLED"] = not app.testing
    redis_url = app.config.get("REDIS_URL") or None
    if redis_url:
        try:
            parse_redis_url(redis_url)
        except RedisURLError as error:
            raise RateLimitConfigError(str(error)) from error
    app.extensions[EXTENSION] = FallbackLimiter(
        redis_url, app.config["RATE_LIMIT_PREFIX"],
        float(app.config["RATE_LIMIT_REDIS_RETRY"]), shared_file=shared_file(app.config))
    app.before_request(enforce_rate_limits)
    app.after_request(_add_headers)
