"""A small loopback HTTP proxy in front of a live collector that misbehaves on cue.

``proxy.script(["503", "429:1"])`` makes the next two requests answer 503, then 429 with
``Retry-After: 1``, without reaching the collector. ``"drop_after_commit"`` forwards the
request, reads the collector's answer, then closes the client's socket without answering
(the reply is lost after the server committed). ``"hold"`` keeps the request waiting until
``proxy.release`` is set (``proxy.holding`` says it arrived), then forwards it. Requests not
covered by the script are forwarded; each one's method, path and headers go to ``proxy.seen``.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host",
              "proxy-connection", "te", "trailer", "upgrade"}


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.actions: deque[str] = deque()
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.holding = threading.Event()
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def script(self, actions: list[str]) -> None:
        with self.lock:
            self.actions.extend(actions)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _next_action(self) -> str:
        with self.lock:
            return self.actions.popleft() if self.actions else "forward"

    def forward(self, method: str, path: str, headers: dict[str, str],
                body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port,
                                                timeout=10)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() not in HOP_BY_HOP}
                with proxy.lock:
                    proxy.seen.append((self.command, self.path, dict(headers)))
                action = proxy._next_action()
                if action == "hold":
                    proxy.holding.set()
                    proxy.release.wait(30)
                status_text, _, retry_after = action.partition(":")
                if status_text.isdigit():
                    status = int(status_text)
                    headers = [("Content-Type", "application/json")]
                    if retry_after:
                        headers.append(("Retry-After", retry_after))
                    code = "rate_limited" if status == 429 else "unavailable"
                    self._answer(status, headers, json.dumps(
                        {"error": {"code": code, "message": "Injected fault."}}).encode())
                    return
                status, answer_headers, answer = proxy.forward(self.command, self.path,
                                                               headers, body)
                if action == "drop_after_commit":
                    self.close_connection = True
                    return
                self._answer(status, answer_headers, answer)

            def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = do_PATCH = _handle

        return Handler
