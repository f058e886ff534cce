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


# Special-purpose blocks (the IANA registries) that Python's ``is_global`` misses in some
# versions, or that it counts as global though no webhook receiver lives there.
_SPECIAL = tuple(ipaddress.ip_network(block) for block in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
    "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
    "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded(address: IPAddress) -> list[IPAddress]:
    """The address and every IPv4 address it carries (IPv4-mapped, IPv4-compatible, NAT64,
    6to4 and Teredo): a packet to ``[2002:7f00:1::]`` reaches 127.0.0.1 through a relay."""
    found: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _forbidden(address: IPAddress) -> bool:
    """True unless every address it is or carries is a public unicast address."""
    for candidate in _embedded(address):
        if (not candidate.is_global or candidate.is_private or candidate.is_loopback
                or candidate.is_link_local or candidate.is_unspecified
                or candidate.is_multicast or candidate.is_reserved
                or any(candidate.version == block.version and candidate in block
                       for block in _SPECIAL)):
            return True
        if isinstance(candidate, ipaddress.IPv6Address) and candidate.is_site_local:
            return True
    return False


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
                # Which address is not said: the answer must not turn the collector into
                # a way to read this network's DNS.
                raise UnsafeDestination(
                    f"{parts.hostname} is, or resolves to, a private, loopback, link-local or "
                    "special-purpose address; webhooks may not reach it.")
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
