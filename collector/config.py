"""Settings: defaults, then ``TENPOINT_*`` environment variables, then test overrides.

Every setting is declared once in ``SETTINGS``; the README table is generated from it
(``tenpoint settings --markdown``) and a test keeps the two in step.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


def _bool(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("TENPOINT_DATABASE_URL", "DATABASE_URL", None, str,
            "SQLAlchemy URL. Default: SQLite file `instance/tenpoint.db`. "
            "PostgreSQL: `postgresql+psycopg://user@host/db`."),
    Setting("TENPOINT_SIGNING_SECRET", "SECRET_KEY", None, str,
            "The collector's own signing secret: sessions, CSRF, invitation and edit tokens, "
            "fingerprints. Unset: generated once and kept in `instance/secret_key`. Set the "
            "same value on every collector. Formerly `TENPOINT_SECRET_KEY`, still read (with "
            "a warning) until the next release; an API key there (`sk_…`, the SDK's "
            "`TENPOINT_API_KEY`) is ignored."),
    Setting("TENPOINT_REDIS_URL", "REDIS_URL", None, str,
            "Optional shared rate-limit counters for several collectors: `redis://host:port/db` "
            "(`rediss://` for TLS, `redis+unix:///path`), "
            "`redis+sentinel://[:password@]host:port[,host:port…]/service_name[/db]` (the "
            "master a Sentinel names, followed through failovers) or "
            "`redis+cluster://[:password@]host:port[,host:port…]` (a Redis Cluster); the "
            "`limits` library's schemes. Unset: per-process memory."),
    Setting("TENPOINT_PORT", "PORT", 5000, int, "Port `tenpoint serve` and `make run` listen on."),
    Setting("TENPOINT_HOST", "HOST", "127.0.0.1", str, "Address `tenpoint serve` binds."),
    Setting("TENPOINT_WORKERS", "WORKERS", 2, int,
            "gunicorn worker processes for `tenpoint serve`."),
    Setting("TENPOINT_THREADS", "THREADS", 8, int,
            "Threads per gunicorn worker (gthread) for `tenpoint serve`; a client stuck "
            "mid-request holds one. See docs/deployment.md."),
    Setting("TENPOINT_BODY_TIMEOUT_SECONDS", "BODY_TIMEOUT_SECONDS", 10.0, float,
            "Under `tenpoint serve`, a request body must arrive within this time, else 408. "
            "0: no deadline."),
    Setting("TENPOINT_PUBLIC_URL", "PUBLIC_URL", None, str,
            "Public base URL of the collector, used in email links. Default: "
            "`http://127.0.0.1:$TENPOINT_PORT`."),
    Setting("TENPOINT_MAX_BODY_BYTES", "MAX_CONTENT_LENGTH", 64 * 1024, int,
            "Largest request body accepted; larger ones get 413."),
    Setting("TENPOINT_TRUSTED_PROXIES", "TRUSTED_PROXIES", 0, int,
            "How many reverse proxies in front of the collector to trust for `X-Forwarded-For`, "
            "`X-Forwarded-Proto` and `X-Forwarded-Host`."),
    Setting("TENPOINT_CONFIG_CACHE_SECONDS", "CONFIG_CACHE_SECONDS", 5.0, float,
            "How long a process keeps publishable keys, sites and surveys it has read; a "
            "change through another collector reaches it within this time. 0: no cache. "
            "See docs/eligibility.md, \"Speed\"."),
    Setting("TENPOINT_RECHECK_AFTER_SECONDS", "RECHECK_AFTER_SECONDS", 300, int,
            "How long the widget skips its automatic page-view checks after one that no "
            "survey of the site could pass, on any page. 0: it asks on every page view. "
            "See docs/eligibility.md, \"Quiet periods\"."),
    Setting("TENPOINT_RATE_LIMIT_ENABLED", "RATE_LIMIT_ENABLED", None, _bool,
            "Rate limits on or off. Unset: on, except in test apps (`TESTING`). "
            "See docs/protection.md."),
    Setting("TENPOINT_RATE_LIMIT_ELIGIBILITY", "RATE_LIMIT_ELIGIBILITY",
            "ip=120/minute;fingerprint=60/minute;key=6000/minute;site=6000/minute", str,
            "Limits on eligibility checks and declines, `scope=N/period` joined by `;` "
            "(scopes `ip`, `fingerprint`, `site`, `key`; `off` disables)."),
    Setting("TENPOINT_RATE_LIMIT_SUBMIT", "RATE_LIMIT_SUBMIT",
            "ip=30/minute;fingerprint=10/minute;key=3000/minute;site=3000/minute", str,
            "Limits on response submits (API and hosted pages), same syntax."),
    Setting("TENPOINT_RATE_LIMIT_TICKETS", "RATE_LIMIT_TICKETS",
            "ip=300/minute;key=1200/minute;site=1200/minute", str,
            "Limits on ticket events, same syntax."),
    Setting("TENPOINT_RATE_LIMIT_ADMIN", "RATE_LIMIT_ADMIN",
            "ip=300/minute;key=1200/minute", str,
            "Limits on every other API call (reads, surveys, keys, admin), same syntax."),
    Setting("TENPOINT_RATE_LIMIT_PREFIX", "RATE_LIMIT_PREFIX", "tenpoint", str,
            "Prefix of the rate-limit counters in Redis (separates collectors sharing one)."),
    Setting("TENPOINT_RATE_LIMIT_REDIS_RETRY", "RATE_LIMIT_REDIS_RETRY", 30.0, float,
            "Seconds to count in process memory after Redis fails before trying Redis again."),
    Setting("TENPOINT_RATE_LIMIT_FILE", "RATE_LIMIT_FILE", "auto", str,
            "Without Redis (or while it is down), where the workers of one collector share "
            "their rate counts: a SQLite file path; `auto`: one in the temporary directory, "
            "named from the database URL and prefix; `memory`: each process counts alone."),
    Setting("TENPOINT_PROOF_OF_WORK_MAX_NUMBER", "PROOF_OF_WORK_MAX_NUMBER", 50000, int,
            "Proof of work (surveys with `proof_of_work` always or automatic): the largest "
            "number a browser may have to try; it tries half on average."),
    Setting("TENPOINT_BOT_VERDICTS", "BOT_VERDICTS", None, _bool,
            "Quarantine answers that look automated. Unset: on, except in test apps "
            "(`TESTING`), whose headless browsers would be quarantined."),
    Setting("TENPOINT_KEY_ROTATION_OVERLAP", "KEY_ROTATION_OVERLAP", 86400, int,
            "Seconds a rotated API key keeps working next to its replacement."),
    Setting("TENPOINT_SMTP_URL", "SMTP_URL", None, str,
            "`smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…`. Unset: "
            "nothing is emailed; at its send time an email invitation is marked `sent` and "
            "its rendered email is yours to fetch (`GET /v1/invitations/{id}/email`) and send; "
            "weekly digests go out only as `digest.weekly` events. See docs/delivery.md."),
    Setting("TENPOINT_MAIL_FROM", "MAIL_FROM", "Tenpoint <surveys@localhost>", str,
            "From address of survey emails."),
    Setting("TENPOINT_WEBHOOK_ALLOW_PRIVATE", "WEBHOOK_ALLOW_PRIVATE", False, _bool,
            "Allow webhook URLs on loopback, private and link-local addresses (off: SSRF guard)."),
    Setting("TENPOINT_JOB_LEASE_SECONDS", "JOB_LEASE_SECONDS", 300, int,
            "Lease of a job claimed by `tenpoint worker`, renewed every third of it while the "
            "job runs; a job whose worker died is run again once its lease has passed."),
    Setting("TENPOINT_IDEMPOTENCY_KEEP_DAYS", "IDEMPOTENCY_KEEP_DAYS", 30.0, float,
            "How long the first answer to an `Idempotency-Key` is kept for replays (at least "
            "8 days: the widget retries an unsent answer for up to a week); a retry after "
            "that is treated as a new request. See docs/api-contract.md."),
    Setting("TENPOINT_JOBS_KEEP_DAYS", "JOBS_KEEP_DAYS", 14.0, float,
            "How long finished (`done`) jobs are kept for inspection (at least 2 days). Dead "
            "jobs are kept until replayed or deleted."),
    Setting("TENPOINT_ANONYMOUS_PEOPLE_KEEP_DAYS", "ANONYMOUS_PEOPLE_KEEP_DAYS", 30.0, float,
            "How long an anonymous person (a browser id, no user id or email) with no display, "
            "answer, invitation or ticket is kept after their last update (at least "
            "1 day). Identified and erased people are kept. See docs/governance.md."),
    Setting("TENPOINT_LOG_LEVEL", "LOG_LEVEL", "INFO", str, "Python logging level."),
)


# Old name -> new name, read for one more release. The old signing-secret name was also the
# SDK's variable for its sk_ key: one shell set up for both re-keyed the collector (issue 24).
RENAMED = {"TENPOINT_SECRET_KEY": "TENPOINT_SIGNING_SECRET"}
API_KEY_PREFIXES = ("pk_", "sk_", "rk_", "ak_")


def _renamed(environ: Mapping[str, str], old: str, new: str) -> str | None:
    """The value of ``old`` to use for ``new`` (which is unset), with a warning either way."""
    value = environ.get(old)
    if not value:
        return None
    if value.startswith(API_KEY_PREFIXES):
        log.warning("%s holds an API key (%s…), not a signing secret: ignored. The SDK reads "
                    "its key from TENPOINT_API_KEY; the collector's secret is %s.", old,
                    value[:3], new)
        return None
    log.warning("%s is deprecated and will stop being read in the next release; rename it "
                "to %s.", old, new)
    return value


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "tenpoint.db")


def _instance_secret(instance_path: str) -> str:
    """Generate the secret once and keep it, so restarts do not invalidate tokens."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def load_config(instance_path: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the configuration read from ``environ`` (default ``os.environ``)."""
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        for old, new in RENAMED.items():
            if new == setting.env and raw in (None, ""):
                raw = _renamed(environ, old, new)
            elif new == setting.env and environ.get(old):
                log.warning("%s is set and ignored: %s takes its place.", old, new)
        config[setting.key] = setting.default if raw in (None, "") else setting.parse(raw)
    return config


def finalize_config(config: dict[str, Any], instance_path: str) -> None:
    """Fill values derived from others once overrides are applied."""
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = default_database_url(instance_path)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance_path)
    if not config.get("PUBLIC_URL"):
        config["PUBLIC_URL"] = f"http://127.0.0.1:{config['PORT']}"
    config["PUBLIC_URL"] = str(config["PUBLIC_URL"]).rstrip("/")
    config["SQLALCHEMY_ENGINES"] = {"default": config["DATABASE_URL"]}
    if not _in_memory(config["DATABASE_URL"]):
        # The per-page-view reads run on their own autocommit pool (collector/core/database.py).
        # Autocommit: nothing to roll back when a connection goes back to the pool.
        config["SQLALCHEMY_ENGINES"]["reads"] = {"url": config["DATABASE_URL"],
                                                 "isolation_level": "AUTOCOMMIT",
                                                 "pool_reset_on_return": None}


def _in_memory(url: str) -> bool:
    """An in-memory SQLite database exists once per connection: a second pool would read
    another, empty database."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and (
        parsed.database in (None, "", ":memory:") or parsed.query.get("mode") == "memory")


def settings_markdown() -> str:
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        default = "" if setting.default is None else f"`{setting.default}`"
        rows.append(f"| `{setting.env}` | {default} | {setting.help} |")
    return "\n".join(rows)
