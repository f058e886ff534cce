"""How ``tenpoint serve`` runs gunicorn: threads a slow client cannot starve, a deadline for
request bodies, gunicorn's own request limits, and an access log without keys.

- **gthread**: each worker waits for idle and kept-alive connections in one poller and lends a
  thread only to a connection that has sent data. ``THREADS`` threads per worker (8 by default)
  must all be held by clients stuck mid-request before a worker stops answering.
- **Body deadline** (``BODY_TIMEOUT_SECONDS``, 10 s): a client that declares a body and sends
  it slowly holds a thread only until then, and gets a 408 (``BodyDeadline``). Without it, a
  ``Content-Length: 1000`` with one byte sent held a sync worker for gunicorn's 30 s timeout.
- **Limits** (gunicorn's defaults, written out so they are documented and tested): request line
  8190 bytes (else 414), 100 header fields of 8190 bytes each (else 431 / 400). gunicorn answers
  those itself, before the app: as plain text, not the JSON envelope (docs/security.md).
- **Access log**: gunicorn's default format prints the Basic-auth user name, which is the
  Delighted-compatible API's secret key. ``KeyPrefixLogger`` prints a key's first 10
  characters (what the admin lists show, ``ApiKey.prefix``) in its place and in the query
  string.

A slow client that trickles its *headers* holds a thread until it finishes them; on the open
internet, put a buffering reverse proxy in front (docs/deployment.md).
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from io import BytesIO
from typing import Any

import gunicorn
from gunicorn.glogging import Logger

KEY_SHOWN = 10  # as ``ApiKey.prefix``: role prefix and 7 characters, not enough to use it
_KEY_IN_QUERY = re.compile(r"((?:^|[?&])key=)([^&\s]*)")
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

REQUEST_LINE_LIMIT = 8190
HEADER_FIELDS_LIMIT = 100
HEADER_FIELD_SIZE_LIMIT = 8190


def gunicorn_argv(config: Mapping[str, Any], bind: str, workers: int) -> list[str]:
    """The gunicorn command line for ``tenpoint serve``."""
    threads = int(config["THREADS"])
    argv = ["--bind", bind, "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads),
            # A worker silent this long (a request stuck in the app) is restarted.
            "--timeout", "30", "--graceful-timeout", "30", "--keep-alive", "5",
            "--limit-request-line", str(REQUEST_LINE_LIMIT),
            "--limit-request-fields", str(HEADER_FIELDS_LIMIT),
            "--limit-request-field_size", str(HEADER_FIELD_SIZE_LIMIT),
            "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT,
            "--logger-class", "collector.serving.KeyPrefixLogger"]
    if int(gunicorn.__version__.split(".")[0]) >= 27:
        # One control socket path per user by default: two collectors on one machine would
        # fight over it, and tenpoint needs none.
        argv.append("--no-control-socket")
    return [*argv, "collector.wsgi:app"]


def shown_key(key: str) -> str:
    return key[:KEY_SHOWN] + "…" if len(key) > KEY_SHOWN else key


class KeyPrefixLogger(Logger):
    """gunicorn's logger, with keys cut to their prefix in the user and query atoms."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any],
              request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        if atoms.get("u") not in (None, "-"):
            atoms["u"] = shown_key(atoms["u"])
        for name in ("r", "q"):
            if isinstance(atoms.get(name), str) and "key=" in atoms[name]:
                atoms[name] = _KEY_IN_QUERY.sub(
                    lambda match: match.group(1) + shown_key(match.group(2)), atoms[name])
        return atoms


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BodyDeadline:
    """Read a request body within ``seconds`` of the request, or answer 408.

    Only under gunicorn (``gunicorn.socket`` in the environ), whose reads block without a
    timeout; the socket's timeout is set to what is left of the deadline before each read.
    A body larger than ``limit`` is left to the app (it answers 413 without reading it).
    """

    def __init__(self, app: WSGIApp, seconds: float, limit: int | None) -> None:
        self.app = app
        self.seconds = seconds
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        declared = environ.get("CONTENT_LENGTH", "").strip()
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if sock is None or not self.seconds or not (chunked or (declared.isdigit()
                                                    and int(declared) > 0)):
            return self.app(environ, start_response)
        if self.limit and declared.isdigit() and int(declared) > self.limit:
            return self.app(environ, start_response)
        try:
            body = self._read(environ["wsgi.input"], sock)
        except TimeoutError:
            return _request_timeout(start_response, self.seconds)
        finally:
            sock.settimeout(None)
        environ["wsgi.input"] = BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)

    def _read(self, stream: Any, sock: socket.socket) -> bytes:
        deadline = time.monotonic() + self.seconds
        chunks: list[bytes] = []
        size = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            sock.settimeout(left)
            chunk = stream.read(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if self.limit and size > self.limit:
                # Past the limit: the app refuses it (413) from what was read plus one byte.
                return b"".join(chunks)


def _request_timeout(start_response: Callable[..., Any], seconds: float) -> list[bytes]:
    body = json.dumps({"error": {
        "code": "request_timeout",
        "message": f"The request body did not arrive within {seconds:g} seconds."}}).encode()
    start_response("408 Request Timeout", [("Content-Type", "application/json"),
                                           ("Content-Length", str(len(body))),
                                           ("Connection", "close")])
    return [body]
