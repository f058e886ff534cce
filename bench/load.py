"""Load generators: ``wrk`` (Debian package ``wrk``) with a Lua script, or Python processes.

The machine running a bench also runs the server. wrk is C and costs a fraction of a core;
the Python fallback costs much more, so its figures understate the server (both sides of a
ratio suffer alike, which keeps ratios usable, but prefer wrk: ``apt-get install wrk``).

A request is described once (``RequestSpec``) and rendered by either generator. ``{{id}}`` in
the path, headers or body is replaced with a value unique to every request, so submits insert
a new person under a new idempotency key each time; ``{{ip}}`` with a made-up 10.x.y.z address
(for ``X-Forwarded-For`` behind a trusted proxy: page views come from many visitors).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import Comparison, percentile, workspace
from bench.services import PrivatePostgres, PrivateRedis

# ``{{known}}`` names one of this many returning visitors, picked at random per request.
KNOWN_PEOPLE = 2000


def known_person(number: int) -> str:
    return f"known-{number}"


def fill(template: str, unique: str, ip: str) -> str:
    """Replace ``{{id}}`` (unique per request), ``{{ip}}`` (a made-up client address) and
    ``{{known}}`` (a returning visitor, one of ``KNOWN_PEOPLE``)."""
    filled = template.replace("{{id}}", unique).replace("{{ip}}", ip)
    if "{{known}}" in filled:
        filled = filled.replace("{{known}}", known_person(random.randrange(KNOWN_PEOPLE)))
    return filled


def made_up_ip(seed: int, counter: int) -> str:
    return f"10.{seed % 256}.{counter // 256 % 256}.{counter % 256}"


@dataclass(frozen=True)
class RequestSpec:
    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def known_visitor(spec: RequestSpec, number: int) -> tuple[bytes, dict[str, str]]:
    """Body and headers of ``spec`` (a ``{{known}}`` check) sent by returning visitor
    ``number`` from an address of its own: how the benches seed their returning visitors."""
    return (spec.body.replace("{{known}}", known_person(number)).encode(),
            {"Content-Type": "text/plain", "X-Forwarded-For": made_up_ip(254, number)})


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _lua_string(value: str) -> str:
    # JSON string escapes (\" \\ \n \uXXXX for controls) are valid Lua for ASCII text.
    return json.dumps(value, ensure_ascii=True)


def wrk_script(spec: RequestSpec, prefix: str, ip_seed: int) -> str:
    """The Lua script for wrk: unique ids per request, figures printed as one JSON line."""
    headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in spec.headers.items())
    return f"""
local counter = 0
local thread_id = 0
local threads_started = 0
c429, c503, c4xx, c5xx = 0, 0, 0, 0
local method = {_lua_string(spec.method)}
local path_template = {_lua_string(spec.path)}
local body_template = {_lua_string(spec.body)}
local header_templates = {{{headers}}}
local threads = {{}}

function setup(thread)
  threads_started = threads_started + 1
  thread:set("thread_id", threads_started)
  table.insert(threads, thread)
end

local function fill(template, id, ip)
  local known = "known-" .. math.random(0, {KNOWN_PEOPLE} - 1)
  return (template:gsub("{{{{id}}}}", id):gsub("{{{{ip}}}}", ip):gsub("{{{{known}}}}", known))
end

function request()
  counter = counter + 1
  local id = {_lua_string(prefix)} .. "-" .. thread_id .. "-" .. counter
  local ip = "10." .. (({ip_seed} + thread_id) % 256) .. "." .. (math.floor(counter / 256) % 256)
    .. "." .. (counter % 256)
  local headers = {{}}
  for name, value in pairs(header_templates) do headers[name] = fill(value, id, ip) end
  local body = nil
  if body_template ~= "" then body = fill(body_template, id, ip) end
  return wrk.format(method, fill(path_template, id, ip), headers, body)
end

function response(status, headers, body)
  if status == 429 then c429 = c429 + 1
  elseif status == 503 then c503 = c503 + 1
  elseif status >= 500 then c5xx = c5xx + 1
  elseif status >= 400 then c4xx = c4xx + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  local s = {{c429 = 0, c503 = 0, c4xx = 0, c5xx = 0}}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(s) do s[name] = s[name] + thread:get(name) end
  end
  io.write(string.format(
    'WRK {{"requests":%d,"duration_us":%d,"non2xx":%d,"socket":%d,"p50_us":%d,"p99_us":%d,'
    .. '"429":%d,"503":%d,"4xx":%d,"5xx":%d}}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), s.c429, s.c503, s.c4xx, s.c5xx))
end
"""


def parse_wrk(stdout: str) -> LoadResult:
    """Read the ``WRK {...}`` line the script's ``done`` prints."""
    for line in stdout.splitlines():
        if line.startswith("WRK "):
            data = json.loads(line[4:])
            return LoadResult(requests=data["requests"], seconds=data["duration_us"] / 1e6,
                              errors=data["non2xx"] + data["socket"],
                              p50_ms=data["p50_us"] / 1000, p99_ms=data["p99_us"] / 1000,
                              statuses={name: data[name] for name in
                                        ("socket", "429", "503", "4xx", "5xx") if data[name]})
    raise RuntimeError(f"wrk printed no figures:\n{stdout[-1000:]}")


def run_wrk(base_url: str, spec: RequestSpec, *, seconds: float, connections: int,
            threads: int = 1) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(spec, uuid.uuid4().hex[:10], random.randrange(256)))
    try:
        done = subprocess.run(
            [wrk_path() or "wrk", "-t", str(threads), "-c", str(connections),
             "-d", f"{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name,
             base_url],
            capture_output=True, text=True, timeout=seconds + 60, check=False)
    finally:
        Path(script.name).unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-1000:]}")
    return parse_wrk(done.stdout)


def _python_worker(args: tuple[str, RequestSpec, float, str, int]
                   ) -> tuple[list[float], int, int, float]:
    base_url, spec, seconds, prefix, seed = args
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    latencies: list[float] = []
    errors = counter = 0
    began = time.perf_counter()
    deadline = began + seconds
    while time.perf_counter() < deadline:
        counter += 1
        unique, ip = f"{prefix}-{counter}", made_up_ip(seed, counter)
        body = fill(spec.body, unique, ip).encode() if spec.body else None
        started = time.perf_counter()
        try:
            connection.request(spec.method, fill(spec.path, unique, ip), body=body,
                               headers={k: fill(v, unique, ip) for k, v in spec.headers.items()})
            answer = connection.getresponse()
            answer.read()
            if answer.status >= 400:
                errors += 1
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
        latencies.append((time.perf_counter() - started) * 1000)
    connection.close()
    return latencies, errors, counter, time.perf_counter() - began


def run_python(base_url: str, spec: RequestSpec, *, seconds: float,
               connections: int) -> LoadResult:
    """One process per connection (the GIL would serialise threads); keep-alive each."""
    prefix = uuid.uuid4().hex[:10]
    seed = random.randrange(256)
    jobs = [(base_url, spec, seconds, f"{prefix}-{n}", seed + n) for n in range(connections)]
    with multiprocessing.get_context("spawn").Pool(connections) as pool:
        results = pool.map(_python_worker, jobs)
    # Each process times its own loop: process start-up is not part of the measurement.
    latencies = [value for chunk, _, _, _ in results for value in chunk]
    return LoadResult(requests=sum(n for _, _, n, _ in results),
                      seconds=max(took for _, _, _, took in results),
                      errors=sum(e for _, e, _, _ in results),
                      p50_ms=percentile(latencies, 50) if latencies else 0.0,
                      p99_ms=percentile(latencies, 99) if latencies else 0.0)


def run_load(base_url: str, spec: RequestSpec, *, seconds: float, connections: int,
             tool: str = "auto") -> LoadResult:
    """Load ``base_url`` with ``spec`` for ``seconds``; wrk when present unless told otherwise."""
    if tool == "wrk" or (tool == "auto" and wrk_path()):
        return run_wrk(base_url, spec, seconds=seconds, connections=connections)
    return run_python(base_url, spec, seconds=seconds, connections=connections)


def tool_name(tool: str = "auto") -> str:
    return "wrk" if tool == "wrk" or (tool == "auto" and wrk_path()) else "python"


def parse_load_arguments(description: str, argv: list[str] | None, *, rounds: int,
                         seconds: float, ports: bool = False) -> argparse.Namespace:
    """The command line of the benches that load a server under gunicorn: ``--quick`` (2
    rounds of 2 s), ``--db``, ``--tool``, ``--rounds``, ``--seconds``, ``--connections`` and,
    with ``ports``, ``--ports`` (a private PostgreSQL and Redis on ports +3 and +4). Sets
    ``args.how``, the line that says how the load was made."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s: checks the set-up")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--connections", type=int, default=16)
    if ports:
        parser.add_argument("--ports", type=int, default=0)
    args = parser.parse_args(argv)
    args.rounds = args.rounds or (2 if args.quick else rounds)
    args.seconds = args.seconds or (2 if args.quick else seconds)
    args.how = (f"load by {tool_name(args.tool)}, {args.rounds} interleaved rounds of "
                f"{args.seconds:g} s, {args.connections} connections")
    return args


RunDatabase = Callable[[str, str, "str | None", argparse.Namespace], list[Comparison]]


def on_each_database(args: argparse.Namespace, run_database: RunDatabase) -> list[Comparison]:
    """``run_database(label, database_url, redis_url, args)`` on the databases ``--db`` names:
    SQLite in a fresh folder, then a private PostgreSQL with a private Redis, destroyed after."""
    comparisons: list[Comparison] = []
    if args.db in ("sqlite", "both"):
        with workspace() as work:
            comparisons += run_database("SQLite", f"sqlite:///{work}/bench.db", None, args)
    if args.db in ("postgres", "both"):
        postgres, redis = PrivatePostgres(), PrivateRedis()
        if getattr(args, "ports", 0):
            postgres.port, redis.port = args.ports + 3, args.ports + 4
        postgres, redis = postgres.start(), redis.start()
        try:
            comparisons += run_database("PostgreSQL + Redis", postgres.url, redis.url, args)
        finally:
            redis.stop()
            postgres.destroy()
    return comparisons
