"""A request id on every answer (``X-Request-Id``), so a client's error report can be matched
to the collector's log line.

The caller's own ``X-Request-Id`` is kept when it looks sane (a proxy may have set it);
otherwise one is generated.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import secrets

from flask import Flask, Response, g, request

log = logging.getLogger(__name__)
HEADER = "X-Request-Id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}\Z")


class _RequestIds:
    """``req_`` + 12 random hex digits drawn once per process + a 12-digit counter: unique
    across processes and restarts without a system call per request (``secrets`` read the
    kernel's random source for every id: 1 % of a page view's CPU). An id only has to find
    a log line; it guards nothing."""

    def __init__(self) -> None:
        self.renew()
        os.register_at_fork(after_in_child=self.renew)

    def renew(self) -> None:
        self.prefix = f"req_{secrets.token_hex(6)}"
        self.counter = itertools.count(1)  # next() is atomic under the GIL

    def new(self) -> str:
        return f"{self.prefix}{next(self.counter):012x}"


new_request_id = _RequestIds().new


def _assign() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _SANE.match(given) else new_request_id()


def _attach(response: Response) -> Response:
    request_id = g.get("request_id") or new_request_id()
    response.headers[HEADER] = request_id
    level = logging.INFO if response.status_code >= 400 else logging.DEBUG
    if log.isEnabledFor(level):  # the arguments cost two context look-ups per request
        log.log(level, "%s %s -> %d [%s]", request.method, request.path, response.status_code,
                request_id)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_assign)
    app.after_request(_attach)
