"""``tenpoint.Client``: one object per collector and key; no module-global state."""

from __future__ import annotations

import functools
import logging
import os
import uuid
import warnings
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Union

from tenpoint._errors import ConfigurationError
from tenpoint._http import HTTPTransport, Response, encode_json
from tenpoint._models import Decision
from tenpoint._resources import Invitations, Metrics, People, Responses, Tickets
from tenpoint._worker import DEFAULT_QUEUE_SIZE, BackgroundWorker

Properties = Mapping[str, Union[str, int, float, bool, None]]

log = logging.getLogger("tenpoint")
OLD_KEY_VARIABLE = "TENPOINT_SECRET_KEY"


def _key_from_environment() -> str | None:
    """``TENPOINT_API_KEY``; else the old name, ``TENPOINT_SECRET_KEY``, which the collector
    also read as its signing secret: used only when it holds an API key, with a warning."""
    key = os.environ.get("TENPOINT_API_KEY")
    if key:
        return key
    old = os.environ.get(OLD_KEY_VARIABLE)
    if not old or not old.startswith(("sk_", "rk_", "ak_")):
        return None
    message = (f"{OLD_KEY_VARIABLE} is deprecated for the SDK's key and will stop being read "
               "in the next release; set TENPOINT_API_KEY instead.")
    log.warning(message)
    warnings.warn(message, FutureWarning, stacklevel=3)
    return old


class Client:
    """A client for one Tenpoint collector.

    ``secret_key`` and ``base_url`` fall back to the ``TENPOINT_API_KEY`` and
    ``TENPOINT_URL`` environment variables (``TENPOINT_SECRET_KEY``, the old name of the
    first, is still read with a warning until the next release). With ``background=True``
    write calls (trigger, tickets, people, invitation cancels) are queued and return True, or
    False when the queue is full; a worker thread delivers them with the same retries. Reads
    always answer synchronously.
    """

    def __init__(
        self,
        secret_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 10,
        max_retries: int = 3,
        background: bool = False,
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        secret_key = secret_key or _key_from_environment()
        if not secret_key:
            raise ConfigurationError(
                "No Tenpoint API key: pass tenpoint.Client(secret_key='sk_...') or set "
                "TENPOINT_API_KEY.")
        if secret_key.startswith("pk_"):
            raise ConfigurationError(
                "This is a publishable key (pk_), meant for browsers; the SDK needs the "
                "site's secret key (sk_).")
        base_url = base_url or os.environ.get("TENPOINT_URL")
        if not base_url:
            raise ConfigurationError(
                "No Tenpoint collector URL: pass base_url='https://nps.example.com' or set "
                "TENPOINT_URL.")
        if timeout <= 0:
            raise ConfigurationError("timeout must be a positive number of seconds.")
        if max_retries < 0:
            raise ConfigurationError("max_retries must be 0 or more.")
        try:
            self._http = HTTPTransport(base_url, secret_key, timeout=timeout,
                                       max_retries=max_retries)
        except ValueError as error:
            raise ConfigurationError(str(error)) from error
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.background = background
        self._worker = (BackgroundWorker(queue_size=queue_size, on_thread_exit=self._http.close)
                        if background else None)
        self.tickets = Tickets(self)
        self.people = People(self)
        self.invitations = Invitations(self)
        self.responses = Responses(self)
        self.metrics = Metrics(self)

    def __repr__(self) -> str:
        mode = ", background=True" if self.background else ""
        return f"tenpoint.Client(base_url={self.base_url!r}{mode})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- plumbing shared by the resources ---------------------------------------------

    def _request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                 body: Any = None, idempotency_key: str | None = None) -> Response:
        return self._http.request(method, path, params=params, body=body,
                                  idempotency_key=idempotency_key)

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._request("GET", path, params=params).data

    def _write(self, method: str, path: str, body: Any = None,
               idempotency_key: str | None = None) -> Any:
        """Send a write now, or queue it in background mode (then return True or False)."""
        if method == "POST":
            # Fixed here, not per attempt, so a retry (even from the worker) is a replay.
            idempotency_key = idempotency_key or str(uuid.uuid4())
        send = functools.partial(self._request, method, path, body=body,
                                 idempotency_key=idempotency_key)
        if self._worker is not None:
            if body is not None:
                encode_json(body)  # NaN or Infinity: InvalidBodyError now, not in the worker
            return self._worker.submit(send)
        return send().data

    # --- triggers ------------------------------------------------------------------------

    def trigger(
        self,
        survey: str,
        *,
        user_id: str | None = None,
        email: str | None = None,
        name: str | None = None,
        locale: str | None = None,
        touchpoint: str | None = None,
        properties: Properties | None = None,
        value: float | None = None,
        channel: str = "email",
        delay: int | float | timedelta | None = None,
        send_at: datetime | str | None = None,
        signed_up_at: datetime | str | None = None,
        idempotency_key: str | None = None,
    ) -> Decision | bool:
        """Decide now whether to survey this person and, if so, create the invitation.

        ``delay`` is seconds (or a timedelta) to wait before sending; ``send_at`` a time;
        ``signed_up_at`` when the person signed up (stored on them, for
        ``min_days_since_signup``).
        Returns a ``Decision``; in background mode True when queued, False when not. While
        an invitation is pending for this person and survey, that one is returned.
        """
        if isinstance(delay, timedelta):
            delay = delay.total_seconds()
        body = _trigger_body(survey, user_id=user_id, email=email, name=name, locale=locale,
                             touchpoint=touchpoint, properties=properties, value=value,
                             channel=channel, delay=None if delay is None else round(delay),
                             send_at=send_at, signed_up_at=signed_up_at, dry_run=False)
        result = self._write("POST", "/v1/triggers", body, idempotency_key)
        return result if isinstance(result, bool) else Decision.from_dict(result)

    def check(
        self,
        survey: str,
        *,
        user_id: str | None = None,
        email: str | None = None,
        name: str | None = None,
        locale: str | None = None,
        touchpoint: str | None = None,
        properties: Properties | None = None,
        value: float | None = None,
        channel: str = "email",
        signed_up_at: datetime | str | None = None,
    ) -> Decision:
        """Ask the trigger's question without recording anything (a dry run); always synchronous."""
        body = _trigger_body(survey, user_id=user_id, email=email, name=name, locale=locale,
                             touchpoint=touchpoint, properties=properties, value=value,
                             channel=channel, delay=None, send_at=None,
                             signed_up_at=signed_up_at, dry_run=True)
        return Decision.from_dict(self._request("POST", "/v1/triggers", body=body).data)

    # --- background mode -------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Wait for queued calls to be delivered; False if ``timeout`` seconds ran out first."""
        return True if self._worker is None else self._worker.flush(timeout)

    def close(self, timeout: float | None = None) -> bool:
        """Deliver what is queued, stop the worker and close the connection."""
        flushed = True if self._worker is None else self._worker.close(timeout)
        self._http.close()
        return flushed


def _trigger_body(survey: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"survey": survey}
    if fields.get("properties") is not None:
        fields["properties"] = dict(fields["properties"])
    body.update({name: value for name, value in fields.items() if value is not None})
    return body
