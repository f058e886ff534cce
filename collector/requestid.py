"""A request id on every answer (``X-Request-Id``), so a client's error report can be matched
to the collector's log line.

The caller's own ``X-Request-Id`` is kept when it looks sane (a proxy may have set it);
otherwise one is generated.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Response, g, request

log = logging.getLogger(__name__)
HEADER = "X-Request-Id"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _assign() -> None:
    # The environ, not ``request.headers``: see collector/auth.py raw_key_from_request.
    given = request.environ.get("HTTP_X_REQUEST_ID", "")
    g.request_id = given if _SANE.match(given) else f"req_{secrets.token_hex(12)}"


def _attach(response: Response) -> Response:
    request_id = g.get("request_id") or f"req_{secrets.token_hex(12)}"
    response.headers[HEADER] = request_id
    if response.status_code >= 400:
        log.info("%s %s -> %d [%s]", request.method, request.path, response.status_code,
                 request_id)
    else:
        log.debug("%s %s -> %d [%s]", request.method, request.path, response.status_code,
                  request_id)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_assign)
    app.after_request(_attach)
