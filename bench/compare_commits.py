"""CPU per request on the hot paths: this working tree against another commit, side by side.

``hot_path_cpu.py`` runs one version; comparing two of its runs minutes apart mixes the change
with the machine's drift (these machines swing by 20 % between runs). Here both versions are
loaded at once, each in a process of its own with its own database, and they take turns:
batch after batch of the same requests, alternating which goes first. The figures are the
medians and minimums over batches and the median of the paired ratios (new / base). It is how
every change of the speed passes was checked before it was kept (docs/decisions.md).

    python bench/compare_commits.py [--base REV] [--db sqlite|postgres] [--rounds N]
                                    [--paths eligibility/returning,eligibility,submit]
                                    [--new-setting TENPOINT_NAME=VALUE ...]

``--new-setting`` changes a setting on the working tree's side only: with ``--base HEAD`` and
no change in the tree, it measures what that setting costs or buys (for example
``TENPOINT_CONFIG_CACHE_SECONDS=0``: the config cache's worth).

The base is checked out into a temporary git worktree (default ``HEAD``: the working tree's
uncommitted change against its commit).
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PATHS = ("eligibility/returning", "eligibility", "submit", "eligibility/automatic")
BATCH = 300
READY = "READY"


def child(root: str, database: str, settings: dict[str, str]) -> None:
    """One version's collector in this process; answers ``<path> <count>`` lines on stdin
    with the CPU milliseconds per request of that many requests. The bench code (requests,
    seeding) is this tree's for both sides; only ``collector`` comes from ``root``."""
    from bench.harness import collector_env, seed_demo, steady_state, workspace
    from bench.hot_path_cpu import runner, seed_returning_visitors
    from bench.http_throughput import COLLECTOR_SETTINGS, use_default_rules
    from bench.services import PrivatePostgres, PrivateRedis

    # This process and the ones it starts (``tenpoint init`` migrates with its own schema).
    sys.path.insert(0, root)
    os.environ["PYTHONPATH"] = root
    postgres = PrivatePostgres().start() if database == "postgres" else None
    redis = PrivateRedis().start() if database == "postgres" else None
    try:
        with workspace() as work:
            url = postgres.url if postgres else f"sqlite:///{work}/cpu.db"
            env = collector_env(url, work / "instance", redis_url=redis.url if redis else None,
                                extra={**COLLECTOR_SETTINGS, **settings})
            keys = seed_demo(env)
            use_default_rules(env)
            os.environ.update({k: v for k, v in env.items() if k.startswith("TENPOINT_")})
            from collector import create_app

            app = create_app().wsgi_app
            seed_returning_visitors(app, keys["publishable_key"])
            steady_state(url)
            runners = {name: runner(app, name, keys["publishable_key"]) for name in PATHS}
            numbers = itertools.count(100_000)
            for one in runners.values():
                for _ in range(30):
                    one(next(numbers))
            print(READY, flush=True)
            for line in sys.stdin:
                name, count = line.split()
                one, started = runners[name], time.process_time()
                for _ in range(int(count)):
                    one(next(numbers))
                print((time.process_time() - started) * 1000 / int(count), flush=True)
    finally:
        if redis:
            redis.stop()
        if postgres:
            postgres.destroy()


def worktree(revision: str, into: Path) -> None:
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(into), revision], cwd=ROOT,
                   check=True)
    # What ``make install`` builds and git does not keep: the compiled catalogs.
    subprocess.run([sys.executable, "-m", "collector.languages.maintenance", "compile"], cwd=into,
                   check=True, capture_output=True)


def compare(base_root: Path, database: str, paths: list[str], rounds: int,
            new_settings: list[str]) -> None:
    script = str(Path(__file__).resolve())
    sides = {side: subprocess.Popen(
        [sys.executable, script, "--child", str(root), "--db", database,
         *(f"--new-setting={one}" for one in extra)],
        cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for side, root, extra in (("base", base_root, []), ("new", ROOT, new_settings))}
    try:
        for process in sides.values():
            assert process.stdout is not None
            while (line := process.stdout.readline()) and line.strip() != READY:
                pass
            if not line:
                raise SystemExit("a collector failed to start (see its output above)")
        cpu: dict[tuple[str, str], list[float]] = {(p, s): [] for p in paths for s in sides}
        for number in range(rounds):
            for path in paths:
                for side in ("base", "new") if number % 2 == 0 else ("new", "base"):
                    process = sides[side]
                    assert process.stdin is not None and process.stdout is not None
                    process.stdin.write(f"{path} {BATCH}\n")
                    process.stdin.flush()
                    cpu[(path, side)].append(float(process.stdout.readline()))
    finally:
        for process in sides.values():
            if process.stdin:
                process.stdin.close()
            process.wait(60)
    print(f"CPU per request in one process, {database}, {rounds} alternating batches of "
          f"{BATCH} requests (ms):")
    for path in paths:
        base, new = cpu[(path, "base")], cpu[(path, "new")]
        paired = sorted(n / b for n, b in zip(new, base, strict=True))
        print(f"  {path:22} base median {median(base):.3f} min {min(base):.3f} | new median "
              f"{median(new):.3f} min {min(new):.3f} | new/base: medians "
              f"{median(new) / median(base):.3f}, paired {median(paired):.3f} "
              f"(range {paired[0]:.2f}-{paired[-1]:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the commit to compare against")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--new-setting", action="append", default=[],
                        help="TENPOINT_NAME=VALUE on the working tree's side only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if any("=" not in one or not one.startswith("TENPOINT_") for one in args.new_setting):
        parser.error("--new-setting takes TENPOINT_NAME=VALUE")
    if args.child:
        child(args.child, args.db, dict(one.split("=", 1) for one in args.new_setting))
        return 0
    paths = args.paths.split(",")
    unknown = set(paths) - set(PATHS)
    if unknown:
        parser.error(f"unknown paths: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="tenpoint-compare-") as scratch:
        base_root = Path(scratch) / "base"
        worktree(args.base, base_root)
        try:
            compare(base_root, args.db, paths, args.rounds, args.new_setting)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_root)], cwd=ROOT,
                           check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
