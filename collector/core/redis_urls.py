"""``TENPOINT_REDIS_URL``: one Redis, a Sentinel-watched master, or a Cluster.

The URL schemes are the ones the ``limits`` library documents, so operators use one
vocabulary:

- ``redis://[:password@]host:port/db``, ``rediss://…`` (TLS), ``redis+unix:///path?db=0``;
- ``redis+sentinel://[:password@]host:port[,host:port…]/service_name[/db]``: the master the
  sentinels name for ``service_name``, looked up again each time a connection is (re)made, so
  a failover is followed; the password is the master's and the sentinels';
- ``redis+cluster://[:password@]host:port[,host:port…]``: a Redis Cluster; any reachable node
  is enough to learn the others.

No Flask here: the rate limiter (collector/protection/rate_limits.py) builds its client with
``connect`` and checks the URL at start with ``parse_redis_url``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException, RedisError
from redis.retry import Retry
from redis.sentinel import Sentinel

SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
# What a failing Redis (any mode) can raise; the cluster client's own exception is not a
# RedisError.
FAILURES: tuple[type[BaseException], ...] = (RedisError, RedisClusterException, OSError)


class RedisURLError(ValueError):
    pass


@dataclass(frozen=True)
class RedisTarget:
    mode: str  # "single", "sentinel" or "cluster"
    url: str
    hosts: tuple[tuple[str, int], ...] = ()
    service: str = ""
    db: int = 0
    password: str | None = None


def _refuse(url: str, why: str) -> RedisURLError:
    scheme, _, rest = url.partition("://")
    shown = f"{scheme}://{rest.rpartition('@')[2]}" if rest else url
    return RedisURLError(
        f"TENPOINT_REDIS_URL {shown!r}: {why}; accepted: redis://host:port/db, "
        "rediss://host:port/db, redis+unix:///path, "
        "redis+sentinel://[:password@]host:port[,host:port…]/service_name[/db], "
        "redis+cluster://[:password@]host:port[,host:port…]")


def _hosts(url: str, netloc: str) -> tuple[tuple[str, int], ...]:
    hosts = []
    for part in netloc.rpartition("@")[2].split(","):
        host, sep, port = part.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise _refuse(url, f"{part.strip() or 'an empty host'!r} is not host:port")
        hosts.append((host.strip("[]"), int(port)))
    return tuple(hosts)


def parse_redis_url(url: str) -> RedisTarget:
    """What ``url`` names; ``RedisURLError`` (naming the accepted schemes) if nothing."""
    scheme, sep, _ = url.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise _refuse(url, "unknown scheme")
    scheme = scheme.lower()
    if scheme in {"redis", "rediss", "redis+unix"}:
        try:
            redis.connection.parse_url(url.replace("redis+unix://", "unix://", 1))
        except ValueError as error:
            raise _refuse(url, str(error)) from error
        return RedisTarget("single", url)
    parts = urlsplit(url)
    netloc = parts.netloc
    password = None
    if "@" in netloc:
        credentials = netloc.rpartition("@")[0]
        password = unquote(credentials.partition(":")[2]) or None
    hosts = _hosts(url, netloc)
    path = [piece for piece in parts.path.split("/") if piece]
    if scheme == "redis+cluster":
        if path:
            raise _refuse(url, "a cluster has no database number or service name")
        return RedisTarget("cluster", url, hosts, password=password)
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise _refuse(url, "expected /service_name or /service_name/db after the sentinels")
    return RedisTarget("sentinel", url, hosts, service=unquote(path[0]),
                       db=int(path[1]) if len(path) == 2 else 0, password=password)


def connect(url: str, *, timeout: float) -> Any:
    """A client for ``url`` with ``timeout``-second socket timeouts and no client-side
    retries: a dead Redis must cost a request a fraction of a second once, not seconds every
    time. A cluster client asks a node for the slot map here, so this can raise
    ``FAILURES``."""
    target = parse_redis_url(url)
    options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if target.mode == "single":
        return redis.Redis.from_url(url.replace("redis+unix://", "unix://", 1),
                                    retry=Retry(NoBackoff(), 0), health_check_interval=0,
                                    **options)
    if target.mode == "sentinel":
        sentinel = Sentinel(list(target.hosts), password=target.password,
                            sentinel_kwargs={"password": target.password, **options},
                            retry=Retry(NoBackoff(), 0), **options)
        # The pool asks the sentinels for the master on every new connection.
        return sentinel.master_for(target.service, db=target.db)
    return RedisCluster(startup_nodes=[ClusterNode(host, port) for host, port in target.hosts],
                        password=target.password,
                        retry=Retry(NoBackoff(), 0), **options)
