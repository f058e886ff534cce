"""Outbound HTTP for webhooks, with an SSRF guard that cannot be side-stepped by DNS.

The host is resolved once, every address is checked, and the connection goes to a checked
address (with the original host name for ``Host`` and TLS SNI), so a name that resolves to a
public address at check time and a private one a moment later gains nothing. Redirects are
never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 5.0
MAX_RESPONSE_BYTES = 64 * 1024


class UnsafeDestination(ValueError):
    """The URL is malformed, or points at an address webhooks may not reach."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_unspecified or address.is_multicast or address.is_reserved
            or not address.is_global)


def resolve(url: str, *, allow_private: bool) -> Target:
    """Parse and resolve ``url``; raise ``UnsafeDestination`` when any address is refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeDestination("Webhook URLs must be absolute http:// or https:// URLs.")
    if parts.username or parts.password:
        raise UnsafeDestination("Webhook URLs may not carry credentials.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeDestination("The URL's port is not valid.") from error
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeDestination(f"The host {parts.hostname!r} does not resolve.") from error
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UnsafeDestination(f"The host {parts.hostname!r} has no address.")
    if not allow_private:
        for raw in addresses:
            if _forbidden(ipaddress.ip_address(raw.split("%")[0])):
                raise UnsafeDestination(
                    f"{parts.hostname} resolves to {raw}, a private, loopback, link-local or "
                    "reserved address; webhooks may not reach it.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.addresses[0]

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout,
                         context=ssl.create_default_context())
        self._address = target.addresses[0]

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    error: str | None
    duration_ms: int


def post(target: Target, body: bytes, headers: dict[str, str],
         timeout: float = TIMEOUT_SECONDS) -> PostResult:
    """POST once; a connection failure or timeout is a result, not an exception."""
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = cls(target, timeout)
    started = time.monotonic()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(MAX_RESPONSE_BYTES)
        status: int | None = answer.status
        error = None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except (OSError, http.client.HTTPException) as failure:
        status, error = None, f"{type(failure).__name__}: {failure}"
    finally:
        connection.close()
    return PostResult(status, error, int((time.monotonic() - started) * 1000))
