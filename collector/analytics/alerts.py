"""Significance alerts: ``alert.nps_shift`` when a window's NPS really differs from its baseline.

Per site and survey, the last ``alert_window_days`` (default 7) are compared with the
``alert_baseline_days`` (default 28) before them by the z-test of
``collector.analytics.statistics.compare``.
An alert needs both sides to have at least ``alert_min_n`` answers (default 30) and
p < ``alert_alpha`` (default 0.05); a fluctuation within noise stays silent. The job
``alerts.check`` runs daily and queues its next run.

A shift is told once, not on every day it lasts (docs/alerts.md). Each (site, survey,
grouping) has at most one open alert, with its direction; ``decide`` is the whole rule:

- no open alert and a significant shift: a ``new`` alert, which opens;
- an open alert and a shift that is significantly deeper than the window it last reported
  (same z-test, window against that window): a ``deepened`` alert;
- the shift turned the other way, or is clearly back within noise (p ≥ ``alert_clear_alpha``,
  default 0.2): the alert closes, silently; a significant shift after that is ``new``;
- anything else, including too few answers to tell: nothing changes.

The open alerts are not a table: each opening, deepening and closing is an entry in the
audit trail (entity ``nps_alert``), and the latest entry for a grouping is its state. That
needs no migration, survives restarts, and shows a team on ``GET /v1/audit`` why an alert
did or did not go out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collector.analytics.metrics import MetricsQuery, nps_report
from collector.analytics.statistics import Comparison, NpsCounts, compare
from collector.core.audit import record_audit
from collector.delivery.events import emit
from collector.delivery.jobs import enqueue_once, handler, run_for_each_site
from collector.delivery.periodic import every, periodic
from collector.models import AuditEntry, Site, Survey

KIND = "alerts.check"
EVERY = timedelta(days=1)
DEFAULTS: dict[str, Any] = {"alert_alpha": 0.05, "alert_min_n": 30, "alert_window_days": 7,
                            "alert_baseline_days": 28, "alert_clear_alpha": 0.2,
                            "alerts_enabled": True}
ENTITY = "nps_alert"
OPENED, DEEPENED, CLEARED = "alert.opened", "alert.deepened", "alert.cleared"
ACTOR = "system"
ENTITY_ID_LENGTH = 64  # AuditEntry.entity_id


@dataclass(frozen=True)
class AlertSettings:
    alpha: float
    min_n: int
    window: timedelta
    baseline: timedelta
    enabled: bool
    clear_alpha: float = 0.2

    @classmethod
    def of(cls, site: Site) -> AlertSettings:
        settings = {**DEFAULTS, **(site.settings or {})}
        return cls(float(settings["alert_alpha"]), int(settings["alert_min_n"]),
                   timedelta(days=float(settings["alert_window_days"])),
                   timedelta(days=float(settings["alert_baseline_days"])),
                   bool(settings["alerts_enabled"]), float(settings["alert_clear_alpha"]))


@dataclass(frozen=True)
class Reading:
    """One check: the recent window against what it is compared with."""

    comparison: Comparison
    window: NpsCounts

    @property
    def direction(self) -> str | None:
        difference = self.comparison.difference
        return "up" if difference > 0 else "down" if difference < 0 else None


@dataclass(frozen=True)
class OpenAlert:
    """The alert told for a grouping and not closed since."""

    direction: str
    opened_at: datetime
    reported: NpsCounts  # the window the last alert (new or deepened) reported
    difference: float  # the difference that alert reported


@dataclass(frozen=True)
class Step:
    """What a check does: close the open alert, and/or tell a ``new`` or ``deepened`` one."""

    close: str | None = None  # why: "reversed" or "within_noise"
    alert: str | None = None


def decide(current: OpenAlert | None, reading: Reading | None, rules: AlertSettings) -> Step:
    """The de-duplication rule, pure: the open alert (if any) and today's reading in."""
    if reading is None:  # too few answers is no evidence either way
        return Step()
    significant = reading.comparison.significant(rules.alpha)
    if current is None:
        return Step(alert="new" if significant else None)
    if reading.comparison.p_value >= rules.clear_alpha:
        return Step(close="within_noise")
    if reading.direction != current.direction:
        return Step(close="reversed", alert="new" if significant else None)
    if significant and _deeper(reading, current, rules.alpha):
        return Step(alert="deepened")
    return Step()


def _deeper(reading: Reading, current: OpenAlert, alpha: float) -> bool:
    # Overlapping windows share answers, which only makes this test stricter.
    further = compare(reading.window, current.reported)
    moved = "up" if further.difference > 0 else "down"
    return further.significant(alpha) and moved == current.direction


def entity_id(grouping: str) -> str:
    """The audit entity id of a grouping; long team names are shortened with a hash."""
    if len(grouping) <= ENTITY_ID_LENGTH:
        return grouping
    digest = hashlib.sha256(grouping.encode()).hexdigest()[:16]
    return f"{grouping[:ENTITY_ID_LENGTH - 17]}~{digest}"


def open_alert(session: Session, site_id: int, grouping: str) -> OpenAlert | None:
    """The grouping's open alert, from its latest audit entry (ids grow with time)."""
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.site_id == site_id, AuditEntry.entity_type == ENTITY,
                                 AuditEntry.entity_id == entity_id(grouping))
        .order_by(AuditEntry.id.desc()).limit(1)).first()
    if entry is None or entry.action == CLEARED:
        return None
    state = entry.changes
    return OpenAlert(state["direction"], datetime.fromisoformat(state["opened_at"]),
                     NpsCounts(**state["window_counts"]), float(state["difference"]))


def raise_alert(session: Session, site: Site, grouping: str, reading: Reading | None,
                data: dict[str, Any], rules: AlertSettings, now: datetime) -> str | None:
    """Apply ``decide`` to one grouping: record the step in the audit trail and emit
    ``alert.nps_shift`` with ``data`` (plus the alert's status) when it tells one.
    Returns the event id, or ``None`` when nothing was sent."""
    current = open_alert(session, site.id, grouping)
    step = decide(current, reading, rules)
    if step.close is not None and current is not None:
        _record(session, site, grouping, CLEARED, now,
                {"direction": current.direction, "opened_at": current.opened_at.isoformat(),
                 "reason": step.close})
    if step.alert is None or reading is None:
        return None
    opened_at = current.opened_at if step.alert == "deepened" and current else now
    told = {**data, "direction": reading.direction, "status": step.alert,
            "opened_at": opened_at.isoformat()}
    if step.alert == "deepened" and current is not None:
        told["previous_difference"] = current.difference
    event_id = emit(session, site_id=site.id, type="alert.nps_shift", data=told, now=now)
    window = reading.window
    _record(session, site, grouping, OPENED if step.alert == "new" else DEEPENED, now, {
        "direction": reading.direction, "opened_at": opened_at.isoformat(),
        "difference": reading.comparison.difference, "p_value": reading.comparison.p_value,
        "window_counts": {"promoters": window.promoters, "passives": window.passives,
                          "detractors": window.detractors},
        "event_id": event_id, "grouping": grouping})
    return event_id


def _record(session: Session, site: Site, grouping: str, action: str, now: datetime,
            changes: dict[str, Any]) -> None:
    record_audit(session, site_id=site.id, actor=ACTOR, action=action, entity_type=ENTITY,
                 entity_id=entity_id(grouping), changes=changes, at=now)
    session.flush()  # the next check in this transaction must see it


def _side(counts: NpsCounts, since: datetime, until: datetime) -> dict[str, Any]:
    interval = counts.interval()
    return {"since": since.isoformat(), "until": until.isoformat(), "nps": counts.nps,
            "n": counts.total, "interval": {"low": interval.low, "high": interval.high}}


def read_survey(session: Session, site: Site, survey: Survey, now: datetime
                ) -> tuple[Reading, dict[str, Any]] | None:
    """Today's reading for a survey and the alert's data, or ``None`` with too few answers."""
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
    return Reading(result, recent), {
        "survey": survey.key, "direction": "up" if result.difference > 0 else "down",
        "difference": result.difference, "z": result.z, "p_value": result.p_value,
        "alpha": rules.alpha, "window": _side(recent, window_start, now),
        "baseline": _side(before, baseline_start, window_start),
    }


def check_survey(session: Session, site: Site, survey: Survey, now: datetime
                 ) -> dict[str, Any] | None:
    """The alert's data if this survey's last window shifted significantly, else ``None``
    (whether an alert is due for it is ``decide``'s question)."""
    found = read_survey(session, site, survey, now)
    if found is None or not found[0].comparison.significant(AlertSettings.of(site).alpha):
        return None
    return found[1]


def check_site(session: Session, site: Site, now: datetime) -> list[str]:
    """Emit ``alert.nps_shift`` for each survey whose shift is news; returns the event ids."""
    rules = AlertSettings.of(site)
    if not rules.enabled:
        return []
    emitted = []
    surveys = session.scalars(select(Survey).where(Survey.site_id == site.id,
                                                   Survey.active.is_(True)).order_by(Survey.id))
    for survey in list(surveys):
        found = read_survey(session, site, survey, now)
        reading, data = found if found is not None else (None, {})
        event_id = raise_alert(session, site, f"survey:{survey.id}:overall", reading, data,
                               rules, now)
        if event_id is not None:
            emitted.append(event_id)
    return emitted


def schedule_alerts(session: Session, now: datetime) -> int:
    """Queue the first run when none is pending; returns how many were added. The worker
    does this itself at start and every minute (collector/delivery/periodic.py)."""
    return int(enqueue_once(session, KIND, {}, now=now, dedupe_key=KIND))


@handler(KIND)
def run_alert_check(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """Check every site (or ``payload["site_id"]``), then queue tomorrow's check."""
    run_for_each_site(session, KIND, EVERY, payload, now, check_site)


periodic(KIND, every(KIND, EVERY))
