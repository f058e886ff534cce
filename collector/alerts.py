"""Significance alerts: ``alert.nps_shift`` when a window's NPS really differs from its baseline.

Per site and survey, the last ``alert_window_days`` (default 7) are compared with the
``alert_baseline_days`` (default 28) before them by the z-test of ``collector.stats.compare``.
An alert needs both sides to have at least ``alert_min_n`` answers (default 30) and
p < ``alert_alpha`` (default 0.05); a fluctuation within noise stays silent. The job
``alerts.check`` runs daily and queues its next run (docs/statistics.md, "Alerts").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.events import emit
from collector.jobs import enqueue_once, handler, run_for_each_site
from collector.metrics import MetricsQuery, nps_report
from collector.models import Site, Survey
from collector.stats import NpsCounts, compare

KIND = "alerts.check"
EVERY = timedelta(days=1)
DEFAULTS: dict[str, Any] = {"alert_alpha": 0.05, "alert_min_n": 30, "alert_window_days": 7,
                            "alert_baseline_days": 28, "alerts_enabled": True}


@dataclass(frozen=True)
class AlertSettings:
    alpha: float
    min_n: int
    window: timedelta
    baseline: timedelta
    enabled: bool

    @classmethod
    def of(cls, site: Site) -> AlertSettings:
        settings = {**DEFAULTS, **(site.settings or {})}
        return cls(float(settings["alert_alpha"]), int(settings["alert_min_n"]),
                   timedelta(days=float(settings["alert_window_days"])),
                   timedelta(days=float(settings["alert_baseline_days"])),
                   bool(settings["alerts_enabled"]))


def _side(counts: NpsCounts, since: datetime, until: datetime) -> dict[str, Any]:
    interval = counts.interval()
    return {"since": since.isoformat(), "until": until.isoformat(), "nps": counts.nps,
            "n": counts.total, "interval": {"low": interval.low, "high": interval.high}}


def check_survey(session: Session, site: Site, survey: Survey, now: datetime
                 ) -> dict[str, Any] | None:
    """The alert's data if this survey's last window shifted significantly, else ``None``."""
    rules = AlertSettings.of(site)
    window_start = now - rules.window
    baseline_start = window_start - rules.baseline
    recent = nps_report(session, MetricsQuery(site.id, survey.id, window_start, now)
                        ).overall.counts
    before = nps_report(session, MetricsQuery(site.id, survey.id, baseline_start,
                                              window_start)).overall.counts
    if recent.total < rules.min_n or before.total < rules.min_n:
        return None
    result = compare(recent, before)
    if not result.significant(rules.alpha):
        return None
    return {
        "survey": survey.key, "direction": "up" if result.difference > 0 else "down",
        "difference": result.difference, "z": result.z, "p_value": result.p_value,
        "alpha": rules.alpha, "window": _side(recent, window_start, now),
        "baseline": _side(before, baseline_start, window_start),
    }


def check_site(session: Session, site: Site, now: datetime) -> list[str]:
    """Emit ``alert.nps_shift`` for each survey that shifted; returns the event ids."""
    if not AlertSettings.of(site).enabled:
        return []
    emitted = []
    surveys = session.scalars(select(Survey).where(Survey.site_id == site.id,
                                                   Survey.active.is_(True)).order_by(Survey.id))
    for survey in list(surveys):
        data = check_survey(session, site, survey, now)
        if data is not None:
            emitted.append(emit(session, site_id=site.id, type="alert.nps_shift", data=data,
                                now=now))
    return emitted


def schedule_alerts(session: Session, now: datetime) -> int:
    """Queue the first run when none is pending; returns how many were added. The worker
    does this itself at start and every minute (collector/periodic.py)."""
    return int(enqueue_once(session, KIND, {}, now=now, dedupe_key=KIND))


@handler(KIND)
def run_alert_check(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Check every site (or ``payload["site_id"]``), then queue tomorrow's check."""
    run_for_each_site(session, KIND, EVERY, payload, now, check_site)
