"""Who may call what: key extraction, role scopes and per-site origin checks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, g, request

from collector.access.keys import (
    PREFIX_ROLE,
    ActiveKey,
    KeyContext,
    find_active_key,
    find_active_key_record,
)
from collector.core.clock import now
from collector.core.config_cache import SiteSnapshot, config_cache
from collector.core.errors import APIError
from collector.core.extensions import db

# Scopes: which roles each kind of endpoint accepts.
BROWSER = ("publishable", "secret", "admin")
WRITE = ("secret", "admin")
READ = ("secret", "read", "admin")
ADMIN = ("admin",)

F = TypeVar("F", bound=Callable[..., Any])


def raw_key_from_request() -> str | None:
    """The key the caller presents: Bearer header, Basic user name, or ``?key=pk_…``."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    if scheme.lower() == "basic" and value:
        # Delighted-style: the key is the user name, the password is empty.
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    # Browsers send the publishable key in the query string so the POST stays a
    # "simple" CORS request with no preflight.
    key = request.args.get("key")
    if key and key.startswith("pk_"):
        return key
    return None


def authenticate(roles: tuple[str, ...], *, team_scoped: bool = False) -> KeyContext:
    """Return the caller's key context or raise 401/403 with a code that says why.

    A key created with a ``team`` reaches only endpoints that hold it to its team
    (``team_scoped``: the follow-up cases); everything else is 403 ``team_scope``, since
    responses, exports, people, audit and webhooks have no team to filter by
    (docs/security.md)."""
    raw = raw_key_from_request()
    if not raw:
        raise APIError(401, "missing_api_key",
                       "Send an API key as 'Authorization: Bearer <key>'.", field="Authorization")
    if raw[:3] not in PREFIX_ROLE:
        raise APIError(401, "invalid_api_key", "This is not a Tenpoint API key.",
                       field="Authorization")
    key = lookup_key(raw)
    if key is None:
        raise APIError(401, "invalid_api_key", "Unknown, revoked or expired API key.",
                       field="Authorization")
    if key.role not in roles:
        raise APIError(403, "wrong_key_role",
                       f"A {key.role} key cannot do this; use a {' or '.join(roles)} key.",
                       field="Authorization")
    if key.team is not None and not team_scoped:
        raise APIError(403, "team_scope",
                       f"This key is limited to team {key.team!r}: it may only call the "
                       "follow-up endpoints (/v1/followups).", field="Authorization")
    context = KeyContext(key_id=key.id, site_id=key.site_id, role=key.role, team=key.team)
    g.key_site = key.site
    if key.role == "publishable":
        _check_origin(key.site.allowed_origins)
    g.key = context
    return context


def lookup_key(raw: str) -> ActiveKey | None:
    """The active key for ``raw``, looked up once per request (rate limits need it too).
    Publishable keys come from the process's short-lived cache (collector/core/config_cache.py);
    every other key is read from the database on every request."""
    cache: dict[str, ActiveKey | None] = g.setdefault("_tenpoint_keys", {})
    if raw not in cache:
        moment = now()
        if raw.startswith("pk_"):
            found = config_cache().get(("key", raw), lambda: find_active_key_record(
                db.session, raw, moment))
            cache[raw] = found if found is not None and found.usable_at(moment) else None
        else:
            cache[raw] = find_active_key_record(db.session, raw, moment)
    return cache[raw]


def current_site() -> SiteSnapshot:
    """The calling key's site, as read with the key (call after ``require_key``)."""
    site: SiteSnapshot = g.key_site
    return site


def _check_origin(allowed_origins: tuple[str, ...]) -> None:
    origin = request.headers.get("Origin")
    if origin is None:
        return  # not a browser's cross-origin call; the key is public anyway
    if origin == "null" or origin not in allowed_origins:
        # Answered with CORS headers (``_add_cors_headers``) so the widget can read the code
        # and tell the developer which origin to allow, instead of a bare "Failed to fetch".
        g.refused_origin = origin
        raise APIError(403, "origin_not_allowed",
                       f"Origin {origin} is not in this site's allowed origins; add it with "
                       f"`tenpoint sites update <site> --add-origin {origin}` or "
                       "PATCH /v1/site.", field="Origin")
    g.allowed_origin = origin


def require_key(*roles: str, team_scoped: bool = False) -> Callable[[F], F]:
    """Decorate a view: it runs only for a key of one of ``roles``; ``g.key`` says which.
    ``team_scoped``: the view holds a team key to its team, so team keys may call it."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            authenticate(roles, team_scoped=team_scoped)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def _add_cors_headers(response: Response) -> Response:
    origin = g.get("allowed_origin")
    refused = g.get("refused_origin")
    if refused and response.status_code == 403:
        # Only the error itself is readable there: nothing else is answered to that origin.
        response.headers["Access-Control-Allow-Origin"] = refused
    elif origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = (
            "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
        )
    # ``getlist``, not ``get``: werkzeug answers a missing header by raising and catching
    # an HTTP exception. Most answers have no Vary yet: set at once, not parsed as a set.
    if not response.headers.getlist("Vary"):
        response.headers["Vary"] = "Origin"
    else:
        response.vary.add("Origin")
    return response


def _answer_preflight() -> Response | None:
    if request.method != "OPTIONS" or not request.path.startswith("/v1/"):
        return None
    response = Response(status=204)
    origin = request.headers.get("Origin")
    key = request.args.get("key", "")
    found = find_active_key(db.session, key, now()) if key.startswith("pk_") else None
    if found is not None and origin and origin != "null" and origin in found.site.allowed_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Idempotency-Key"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.add("Origin")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_answer_preflight)
    app.after_request(_add_cors_headers)
