"""One HTTP request to the collector: auth, timeout, idempotency, retries with backoff.

Standard library only (``http.client``), one keep-alive connection per thread, reopened after
a ``fork``. A POST always carries an ``Idempotency-Key``; the same key is sent on every retry,
so the collector replays its first answer instead of storing twice.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import math
import os
import platform
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from tenpoint._errors import (
    APIConnectionError,
    InvalidBodyError,
    TenpointError,
    error_from_response,
)
from tenpoint._version import __version__

log = logging.getLogger("tenpoint")

# Like stripe-python: start at half a second, double, cap at a few seconds, jitter down to
# half, so a fleet of clients does not retry in lockstep.
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 5.0
# A Retry-After longer than this is not waited for: the error goes back to the caller.
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

USER_AGENT = (f"tenpoint-python/{__version__} "
              f"{platform.python_implementation()}/{platform.python_version()}")


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any
    request_id: str | None


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_json(body: Any) -> bytes:
    """Strict JSON: NaN and Infinity (a pandas gap, a division by zero) raise
    ``InvalidBodyError`` naming the field instead of writing ``NaN``, which is not JSON and
    which the collector refuses (docs/sdk.md, "Decisions")."""
    try:
        return json.dumps(body, default=_json_default, separators=(",", ":"),
                          allow_nan=False).encode()
    except ValueError as error:
        field = _non_finite_path(body)
        if field is None:
            raise
        raise InvalidBodyError(
            f"{field}: NaN and Infinity are not JSON; send a finite number or None",
            code="non_finite_number", field=field) from error


def _non_finite_path(data: Any, path: str = "") -> str | None:
    if isinstance(data, float) and not math.isfinite(data):
        return path or "body"
    items: Any = (data.items() if isinstance(data, Mapping) else
                  enumerate(data) if isinstance(data, (list, tuple)) else ())
    for key, value in items:
        found = _non_finite_path(value, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None



def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def encode_query(params: Mapping[str, Any] | None) -> str:
    if not params:
        return ""
    pairs = [(name, _query_value(value)) for name, value in params.items() if value is not None]
    return "?" + urlencode(pairs) if pairs else ""


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - now)


class HTTPTransport:
    """Sends requests to one collector with one key; safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        secret_key: str,
        *,
        timeout: float,
        max_retries: int,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._secret_key = secret_key
        self.timeout = timeout
        self.max_retries = max_retries
        self._sleep = sleep
        self._jitter = jitter
        self._local = threading.local()

    # --- connections -----------------------------------------------------------------

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection, and whether it is new (a reused one may have gone stale)."""
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        # A connection inherited through fork() shares its socket with the parent: never use it.
        if connection is not None and self._local.pid == os.getpid():
            return connection, False
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = cls(self._host, self._port, timeout=self.timeout)
        self._local.connection = connection
        self._local.pid = os.getpid()
        return connection, True

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None and self._local.pid == os.getpid():
            connection.close()

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        self._drop_connection()

    # --- requests --------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> Response:
        """Send, retrying connection failures, 429 and 5xx; raise a ``TenpointError`` on error."""
        headers = {
            "Authorization": f"Bearer {self._secret_key}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        payload: bytes | None = None
        if body is not None:
            payload = encode_json(body)
            headers["Content-Type"] = "application/json"
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        target = f"{self._prefix}{path}{encode_query(params)}"
        attempt = 0
        while True:
            try:
                response = self._send(method, target, payload, headers)
            except APIConnectionError as error:
                if attempt >= self.max_retries:
                    raise
                delay = self._backoff(attempt)
                log.info("tenpoint: %s %s failed (%s); retry %d in %.2fs",
                         method, path, error.message, attempt + 1, delay)
            else:
                if response.status < 400:
                    return response
                retry_after = parse_retry_after(response.headers.get("retry-after"), time.time())
                if (response.status not in RETRY_STATUSES or attempt >= self.max_retries
                        or (retry_after is not None and retry_after > MAX_RETRY_AFTER)):
                    raise error_from_response(response.status, response.data,
                                              response.request_id, retry_after)
                delay = retry_after if retry_after is not None else self._backoff(attempt)
                log.info("tenpoint: %s %s answered %d; retry %d in %.2fs",
                         method, path, response.status, attempt + 1, delay)
            attempt += 1
            self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        delay = min(MAX_RETRY_DELAY, INITIAL_RETRY_DELAY * (2.0 ** attempt))
        return delay * (0.5 + self._jitter() / 2)

    def _send(self, method: str, target: str, payload: bytes | None,
              headers: dict[str, str]) -> Response:
        # A kept-alive connection the server has closed fails before anything is answered;
        # that is retried at once on a fresh connection (the Idempotency-Key makes it safe).
        for _ in range(2):
            connection, fresh = self._connection()
            try:
                connection.request(method, target, body=payload, headers=headers)
                raw = connection.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self._drop_connection()
                if fresh:
                    raise APIConnectionError(f"The connection to {self.base_url} was closed "
                                             f"before an answer: {error!r}") from error
                continue
            except (OSError, http.client.HTTPException) as error:
                self._drop_connection()
                raise APIConnectionError(
                    f"Could not reach the collector at {self.base_url}: {error!r}") from error
            if raw.will_close:
                self._drop_connection()
            response_headers = {name.lower(): value for name, value in raw.getheaders()}
            return Response(raw.status, response_headers, _decode(raw.status, data),
                            response_headers.get("x-request-id"))
        raise AssertionError("unreachable")  # pragma: no cover


def _decode(status: int, data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError as error:
        if status >= 400:
            return None
        raise TenpointError(f"The collector answered HTTP {status} with a body that is not "
                            "JSON.", status=status) from error
