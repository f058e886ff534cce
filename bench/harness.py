"""Shared bench helpers: gunicorn servers on free loopback ports, a load generator, statistics.

Every bench measures its subject next to a baseline in the same run, interleaved (A B A B…),
and reports medians and ratios: the machines are shared and noisy, ratios survive that.

Figures reach docs/benchmarks.md through one convention (see ``emit``): a script's last
stdout line is a JSON object ``{"bench": name, "figures": [...]}``; ``bench/run_all.py``
collects those lines and rewrites the script's section of the doc (``report.py``).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


# --- statistics (pure) ---------------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0 to 100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def ratio(subject: float, baseline: float) -> float:
    """``subject / baseline``; 0 when the baseline measured nothing (a broken run, not ∞)."""
    return subject / baseline if baseline > 0 else 0.0


# --- gunicorn servers ----------------------------------------------------------------------

@dataclass(frozen=True)
class GunicornSettings:
    """One set of settings for every app a bench compares, so only the app differs.

    gthread with keep-alive is what we recommend in docs/deployment.md: threads overlap the
    database round trips, keep-alive spares a TCP handshake per request behind a proxy.
    """

    workers: int = 2
    worker_class: str = "gthread"
    threads: int = 4
    keepalive: int = 5
    timeout: int = 30
    # At most this many open connections per worker (gunicorn's default is 1,000). Left at
    # the default, the kernel hands a load generator's connections to whichever worker
    # accepts first, and now and then all 16 land on one worker: one process, one core, half
    # the throughput (measured: hello-world at 1,462 req/s with 16 + 0 connections, 3,300 to
    # 5,600 with any split). 12 leaves each worker at least 4 of 16, enough for its 4 threads.
    worker_connections: int = 12

    def argv(self) -> list[str]:
        return ["--workers", str(self.workers), "--worker-class", self.worker_class,
                "--threads", str(self.threads), "--keep-alive", str(self.keepalive),
                "--timeout", str(self.timeout),
                "--worker-connections", str(self.worker_connections),
                # gunicorn 27's control socket defaults to one path per user: several
                # masters on one machine would fight over it, and nothing here needs it.
                "--no-control-socket"]

    def describe(self) -> str:
        return (f"gunicorn {self.workers} workers x {self.threads} threads ({self.worker_class}),"
                f" keep-alive {self.keepalive}s, at most {self.worker_connections} connections"
                f" per worker")


DEFAULT_SETTINGS = GunicornSettings()
_LISTENING = re.compile(r"Listening at: http://([\d.]+):(\d+)")


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM it when the process that started it dies, so a
    killed bench or test run (SIGKILL runs no ``finally``) leaves no gunicorn behind."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_gunicorn(app_spec: str, *, name: str, workdir: Path, env: dict[str, str] | None = None,
                   settings: GunicornSettings = DEFAULT_SETTINGS, ready_path: str = "/healthz",
                   port: int = 0, timeout: float = 60) -> Server:
    """Start gunicorn on 127.0.0.1 (port 0: the kernel picks) and wait until it answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"{name}.log"
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *settings.argv(),
            "--log-level", "info", "--error-logfile", str(log_path), app_spec]
    process_env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(argv, cwd=ROOT, env=process_env, stdout=devnull,
                                   stderr=devnull,
                                   # The signal follows the starting *thread*: main only.
                                   preexec_fn=_die_with_parent if threading.current_thread()
                                   is threading.main_thread() else None)
    server = Server(name, "", process, log_path)
    deadline = time.monotonic() + timeout
    while not server.url:
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{name} did not start:\n{server.log_tail()}")
        found = _LISTENING.search(log_path.read_text(errors="replace")) if log_path.exists() \
            else None
        if found:
            server.url = f"http://{found.group(1)}:{found.group(2)}"
        else:
            time.sleep(0.1)
    wait_ready(server, ready_path, deadline - time.monotonic())
    return server


def wait_ready(server: Server, path: str, timeout: float) -> None:
    deadline = time.monotonic() + max(timeout, 1)
    while True:
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{server.name} never answered {path}:\n{server.log_tail()}")
        time.sleep(0.1)


def start_hello_world(workdir: Path, settings: GunicornSettings = DEFAULT_SETTINGS) -> Server:
    return start_gunicorn("bench.hello_world:app", name="hello-world", workdir=workdir,
                          settings=settings)


def start_stack_floor(env: dict[str, str], workdir: Path,
                      settings: GunicornSettings = DEFAULT_SETTINGS) -> Server:
    """The least a server-side check can do (stack_floor.py), on the collector's database."""
    return start_gunicorn("bench.stack_floor:app", name="floor", workdir=workdir, env=env,
                          settings=settings)


def start_collector(env: dict[str, str], workdir: Path, *, name: str = "collector",
                    settings: GunicornSettings = DEFAULT_SETTINGS, port: int = 0) -> Server:
    return start_gunicorn("collector.wsgi:app", name=name, workdir=workdir, env=env,
                          settings=settings, port=port)


def start_collectors(count: int, env: dict[str, str], workdir: Path, *,
                     settings: GunicornSettings = DEFAULT_SETTINGS) -> list[Server]:
    """``count`` collectors sharing one configuration, each on its own free port."""
    servers: list[Server] = []
    try:
        for n in range(count):
            servers.append(start_collector(env, workdir, name=f"collector-{n}",
                                           settings=settings))
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def collector_env(database_url: str, instance_path: Path, *, redis_url: str | None = None,
                  secret: str = "bench-secret-key-shared-by-every-collector",
                  extra: dict[str, str] | None = None) -> dict[str, str]:
    """The ``TENPOINT_*`` settings of a bench collector; nothing inherited from the caller."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TENPOINT_")}
    env.update({"TENPOINT_DATABASE_URL": database_url,
                "TENPOINT_INSTANCE_PATH": str(instance_path),
                "TENPOINT_SIGNING_SECRET": secret, "TENPOINT_LOG_LEVEL": "WARNING"})
    if redis_url:
        env["TENPOINT_REDIS_URL"] = redis_url
    env.update(extra or {})
    return env


def seed_demo(env: dict[str, str]) -> dict[str, str]:
    """Migrate and seed the demo site with ``tenpoint init --demo --json``; return its keys."""
    done = subprocess.run([str(BIN / "tenpoint"), "init", "--demo", "--json"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"tenpoint init failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def steady_state(database_url: str) -> None:
    """After a bench's burst of seeding, bring PostgreSQL's statistics to where autovacuum
    keeps them in any deployment. Measured without it: the planner, still costing the people
    table as empty, read the person of a page view through the email index and filtered the
    whole site (300 µs of server CPU per page view instead of 80, docs/decisions.md)."""
    if not database_url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


@contextmanager
def workspace(prefix: str = "tenpoint-bench-") -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


# --- interleaved comparison ----------------------------------------------------------------

@dataclass
class Comparison:
    """Rounds of one subject next to its baseline; figures are medians over rounds."""

    name: str
    baseline: list[Any] = field(default_factory=list)
    subject: list[Any] = field(default_factory=list)

    def median_of(self, side: str, attribute: str) -> float:
        return median([getattr(result, attribute) for result in getattr(self, side)])

    @property
    def throughput_ratio(self) -> float:
        return ratio(self.median_of("subject", "rps"), self.median_of("baseline", "rps"))


def interleave(name: str, baseline: Callable[[], Any], subject: Callable[[], Any],
               rounds: int) -> Comparison:
    """Run baseline and subject alternately, ``rounds`` times each (A B A B…)."""
    comparison = Comparison(name)
    for _ in range(rounds):
        comparison.baseline.append(baseline())
        comparison.subject.append(subject())
    return comparison


# --- the figures convention ----------------------------------------------------------------

def figure(name: str, value: float, unit: str = "", *, baseline: float | None = None,
           goal: str | None = None, ok: bool | None = None) -> dict[str, Any]:
    """One measured figure; ``baseline`` is what it was compared with in the same run."""
    out: dict[str, Any] = {"name": name, "value": round(value, 4), "unit": unit}
    if baseline is not None:
        out["baseline"] = round(baseline, 4)
    if goal is not None:
        out["goal"] = goal
    if ok is not None:
        out["ok"] = ok
    return out


def emit(bench: str, figures: list[dict[str, Any]], *, notes: str = "",
         quick: bool = False) -> None:
    """Print the final JSON line that ``run_all`` reads: keep it the LAST line on stdout."""
    print(json.dumps({"bench": bench, "quick": quick, "notes": notes, "figures": figures}),
          flush=True)


def parse_emitted(stdout: str) -> dict[str, Any] | None:
    """The last stdout line that is a JSON object with a ``bench`` key, or None."""
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and "bench" in value and isinstance(value.get("figures"),
                                                                       list):
            return value
    return None


# --- printing and docs/benchmarks.md ---------------------------------------------------------

DOC = ROOT / "docs" / "benchmarks.md"
_END_MARKER = "<!-- bench:end -->"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub table; floats keep 3 significant decimals, ``None`` prints as an empty cell."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "**no**"
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
        return str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def figures_markdown(result: dict[str, Any], measured_at: str) -> str:
    """The section run_all writes for one bench: when, how, and its figures."""
    mode = "quick" if result.get("quick") else "full"
    head = f"_Measured {measured_at} ({mode} run)._"
    if result.get("notes"):
        head += f" {result['notes']}"
    rows = [(f["name"], f["value"], f.get("unit", ""), f.get("baseline"), f.get("goal", ""),
             f.get("ok")) for f in result["figures"]]
    table = markdown_table(("figure", "value", "unit", "baseline (same run)", "goal", "met"),
                           rows)
    return f"{head}\n\n{table}"


def replace_section(text: str, name: str, body: str) -> str:
    """Put ``body`` between ``<!-- bench:name -->`` and ``<!-- /bench:name -->``.

    An existing section is replaced; a new one goes before ``<!-- bench:end -->`` (or at the
    end), under a ``### name`` heading, so hand-written prose around it survives.
    """
    start, stop = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{body.strip()}\n{stop}"
    if start in text and stop in text:
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(stop)
        return before + block + after
    addition = f"### {name}\n\n{block}\n\n"
    if _END_MARKER in text:
        before, _, after = text.rpartition(_END_MARKER)
        return before + addition + _END_MARKER + after
    return text.rstrip("\n") + "\n\n" + addition


def update_doc(name: str, body: str, path: Path = DOC) -> None:
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(text, name, body))


def print_comparison_table(title: str, rows: Sequence[Sequence[Any]],
                           headers: Sequence[str]) -> None:
    print(f"\n{title}\n{markdown_table(headers, rows)}\n", flush=True)
