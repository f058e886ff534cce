"""The weekly digest per team: NPS with its interval and whether it moved, open and overdue
cases, a few recent verbatims. Sent as a ``digest.weekly`` event and, when SMTP is set, by email.

The worker keeps one ``digest.weekly`` job queued per site, due Mondays at 08:00 UTC.
Teams are those named in ``Site.settings["followup"]`` (``teams`` and rule teams), plus the
whole site (team ``null``). Recipients: ``followup.digest_recipients[team]`` (``"*"`` for the
whole site), else the team's owners that are email addresses. The email's numbers and dates
follow ``followup.digest_locale`` (a tag, or team → tag with ``"*"`` for the rest), else the
site's default locale; the words stay English until the catalogs carry them.

A significant week-over-week change is also an ``alert.nps_shift``, told once per (team,
direction) while it lasts, like the daily alerts
(``collector.analytics.alerts.raise_alert``), unless the site turned alerts off
(``alerts_enabled: false``): the digest itself is still sent.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from babel.dates import format_interval
from babel.numbers import get_minus_sign_symbol, get_plus_sign_symbol
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collector.analytics.alerts import AlertSettings, Reading, raise_alert
from collector.analytics.metrics import COUNTED_VERDICTS
from collector.analytics.statistics import NpsCounts, compare
from collector.delivery.events import emit
from collector.delivery.jobs import JobFailed, enqueue_once, handler
from collector.delivery.periodic import periodic
from collector.followups.cases import CLOSED, rules_of, team_of
from collector.languages import catalogs as i18n
from collector.models import FollowupCase, OnceMark, Response, Site, Survey

log = logging.getLogger(__name__)

KIND = "digest.weekly"
VERBATIMS = 3
ALPHA = 0.05
SEND_WEEKDAY, SEND_HOUR = 0, 8  # Monday, 08:00 UTC


def next_send_time(now: datetime) -> datetime:
    start = now.replace(hour=SEND_HOUR, minute=0, second=0, microsecond=0)
    start += timedelta(days=(SEND_WEEKDAY - now.weekday()) % 7)
    return start if start > now else start + timedelta(days=7)


def schedule_digests(session: Session, now: datetime) -> int:
    """Make sure every site has its next digest queued; returns how many were added. Safe
    with several workers: one queued ``digest.weekly:<site>`` job at most (jobs.dedupe_key)."""
    added = 0
    for site_id in list(session.scalars(select(Site.id).order_by(Site.id))):
        added += enqueue_once(session, KIND, {"site_id": site_id}, now=now,
                              run_at=next_send_time(now), site_id=site_id,
                              dedupe_key=f"{KIND}:{site_id}")
    return added


def once_key(site: Site, team: str | None, now: datetime) -> str:
    """The (site, team, week) a digest email stands for; the week is the ISO week of the
    send time, so a retry on Tuesday is still Monday's digest."""
    year, week, _ = now.isocalendar()
    return f"digest:{site.id}:{team or '*'}:{year}-W{week:02d}"


def teams_of(site: Site) -> list[str | None]:
    rules = rules_of(site)
    named = set((rules.get("teams") or {}).keys())
    named |= {r["team"] for r in rules.get("rules") or [] if r.get("team")}
    return [None, *sorted(named)]


def _nps(counts: NpsCounts) -> dict[str, Any]:
    interval = counts.interval() if counts.total else None
    return {"nps": counts.nps, "responses": counts.total,
            "interval": [interval.low, interval.high] if interval else None,
            "shares": counts.shares()}


def build_digest(session: Session, site: Site, team: str | None, now: datetime
                 ) -> dict[str, Any]:
    """The digest of the seven days before ``now`` for one team (``None``: whole site)."""
    return _digest(session, site, team, now)[0]


def _digest(session: Session, site: Site, team: str | None, now: datetime
            ) -> tuple[dict[str, Any], Reading | None]:
    """The digest, and the week's reading against the week before when both had answers."""
    rules = rules_of(site)
    start, previous = now - timedelta(days=7), now - timedelta(days=14)
    rows = session.execute(
        select(Response, Survey.key).join(Survey, Survey.id == Response.survey_id)
        .where(Response.site_id == site.id, Response.verdict.in_(COUNTED_VERDICTS),
               Response.created_at >= previous, Response.created_at < now)
        .order_by(Response.created_at.desc())).all()
    mine = [r for r, key in rows if team is None or team_of(rules, r, key)[0] == team]
    this_week = [r for r in mine if r.created_at >= start]
    last_week = [r for r in mine if r.created_at < start]
    current = NpsCounts.of_scores(r.score for r in this_week)
    before = NpsCounts.of_scores(r.score for r in last_week)
    change = reading = None
    if current.total and before.total:
        comparison = compare(current, before)
        reading = Reading(comparison, current)
        change = {"points": comparison.difference, "p_value": comparison.p_value,
                  "significant": comparison.significant(ALPHA)}
    cases = select(func.count()).select_from(FollowupCase).where(
        FollowupCase.site_id == site.id, FollowupCase.status.not_in(CLOSED))
    if team is not None:
        cases = cases.where(FollowupCase.team == team)

    def verbatims(category: str) -> list[dict[str, Any]]:
        return [{"score": r.score, "comment": r.comment, "at": r.created_at.isoformat()}
                for r in this_week if r.category == category and r.comment][:VERBATIMS]

    return {"site": site.slug, "team": team, "week_start": start.isoformat(),
            "week_end": now.isoformat(), "this_week": _nps(current),
            "previous_week": _nps(before), "change": change,
            "open_cases": session.scalar(cases) or 0,
            "overdue_cases": session.scalar(cases.where(FollowupCase.due_at < now)) or 0,
            "detractor_verbatims": verbatims("detractor"),
            "promoter_verbatims": verbatims("promoter")}, reading


def digest_locale(site: Site, team: str | None) -> str:
    """The locale a team's digest email is formatted in (see the module docstring)."""
    chosen = rules_of(site).get("digest_locale")
    if isinstance(chosen, dict):
        chosen = chosen.get(team or "*") or chosen.get("*")
    return str(chosen or site.default_locale or i18n.SOURCE_LOCALE)


class Numbers:
    """Babel formatting in one locale, as the report page does (collector/languages/catalogs.py)."""

    def __init__(self, locale: str | None) -> None:
        self.locale = locale

    def count(self, value: int) -> str:
        return i18n.format_decimal(value, self.locale, format="#,##0")

    def signed(self, value: float, digits: int = 0) -> str:
        """With the locale's own plus and minus signs (Swedish uses U+2212, Arabic puts a
        left-to-right mark first): ``+12``, ``-3,5``; zero has no sign."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        shown = i18n.format_decimal(abs(value), self.locale, format=pattern)
        if shown == i18n.format_decimal(0, self.locale, format=pattern):
            return shown
        symbol = get_plus_sign_symbol if value > 0 else get_minus_sign_symbol
        return symbol(i18n.babel_locale(self.locale)) + shown

    def percent(self, ratio: float) -> str:
        return i18n.format_percent(ratio, self.locale)

    def day(self, iso: str) -> str:
        return i18n.format_date(datetime.fromisoformat(iso), self.locale)

    def span(self, since: str, until: str) -> str:
        return format_interval(datetime.fromisoformat(since).date(),
                               datetime.fromisoformat(until).date(), "yMMMd",
                               locale=i18n.babel_locale(self.locale))


def render_text(digest: dict[str, Any], locale: str | None = None) -> str:
    """The email's plain text; numbers and dates in ``locale`` (English when ``None``)."""
    fmt = Numbers(locale)

    def nps(part: dict[str, Any]) -> str:
        if part["nps"] is None:
            return "no answers"
        low, high = part["interval"]
        return (f"{fmt.signed(part['nps'])} ({fmt.percent(0.95)} interval {fmt.signed(low)} "
                f"to {fmt.signed(high)}, n = {fmt.count(part['responses'])})")

    def shares(part: dict[str, Any]) -> list[str]:
        found = part.get("shares") or {}
        if part["nps"] is None or None in found.values() or not found:
            return []
        return [f"Promoters {fmt.percent(found['promoters'])}, passives "
                f"{fmt.percent(found['passives'])}, detractors {fmt.percent(found['detractors'])}"]

    change = digest["change"]
    moved = ("not enough answers to compare" if change is None else
             f"{fmt.signed(change['points'], 1)} points vs last week, "
             f"{'a significant change' if change['significant'] else 'within noise'}")
    lines = [f"Weekly NPS digest: {digest['site']} / {digest['team'] or 'all teams'}",
             f"Week: {fmt.span(digest['week_start'], digest['week_end'])}", "",
             f"NPS this week: {nps(digest['this_week'])}", *shares(digest["this_week"]),
             f"Change: {moved}",
             f"Open follow-up cases: {fmt.count(digest['open_cases'])} "
             f"({fmt.count(digest['overdue_cases'])} overdue)", ""]
    for title, key in (("Detractors said", "detractor_verbatims"),
                       ("Promoters said", "promoter_verbatims")):
        if digest[key]:
            lines.append(f"{title}:")
            lines += [f"  [{fmt.count(v['score'])}] {v['comment']} ({fmt.day(v['at'])})"
                      for v in digest[key]]
    return "\n".join(lines) + "\n"


def recipients(site: Site, team: str | None) -> list[str]:
    rules = rules_of(site)
    explicit = (rules.get("digest_recipients") or {}).get(team or "*")
    if explicit:
        return list(explicit)
    pool = (rules.get("teams") or {}).get(team) if team else rules.get("owners")
    return [owner for owner in pool or [] if "@" in owner]


def send_email(smtp_url: str, mail_from: str, to: list[str], subject: str, text: str) -> None:
    """Plain SMTP (STARTTLS when offered) or SMTPS, with a timeout. ``smtp://user:pass@h:p``."""
    parts = urlsplit(smtp_url)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = mail_from, ", ".join(to), subject
    message.set_content(text)
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 25)
    host = parts.hostname or "localhost"
    with (smtplib.SMTP_SSL(host, port, timeout=10) if secure
          else smtplib.SMTP(host, port, timeout=10)) as smtp:
        if not secure:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


def _mail_settings() -> tuple[str | None, str]:
    from flask import current_app, has_app_context

    if not has_app_context():
        return None, ""
    return current_app.config.get("SMTP_URL"), current_app.config.get("MAIL_FROM", "")


@handler(KIND)
def send_digests(session: Session, payload: dict[str, Any], now: datetime) -> None:
    """One event and one email per team; the next week's job is queued by the worker."""
    site = session.get(Site, payload["site_id"])
    if site is None:
        return
    smtp_url, mail_from = _mail_settings()
    sent: list[OnceMark] = []
    rules = replace(AlertSettings.of(site), alpha=ALPHA)
    for team in teams_of(site):
        digest, reading = _digest(session, site, team, now)
        emit(session, site_id=site.id, type="digest.weekly", data=digest, now=now)
        if rules.enabled:  # ``alerts_enabled: false`` silences the digest's alerts too
            raise_alert(session, site, f"digest:{team or '*'}", reading,
                        {key: digest[key] for key in ("site", "team", "week_start", "week_end",
                                                      "this_week", "previous_week", "change")},
                        rules, now)
        to = recipients(site, team)
        key = once_key(site, team, now)
        if smtp_url and to and session.scalar(select(OnceMark.id).where(OnceMark.key == key)):
            log.info("digest %s already emailed; not sending it again", key)
        elif smtp_url and to:
            try:
                send_email(smtp_url, mail_from, to,
                           f"NPS this week: {site.name} / {team or 'all teams'}",
                           render_text(digest, digest_locale(site, team)))
            except (OSError, smtplib.SMTPException) as error:
                # The teams emailed so far keep their marks, so the retry skips them.
                raise JobFailed(f"digest email for {key} failed: {error}", keep=sent) from error
            mark = OnceMark(key=key, created_at=now)
            session.add(mark)
            sent.append(mark)
        elif to:
            log.info("digest for %s/%s not emailed: TENPOINT_SMTP_URL is not set",
                     site.slug, team)


periodic(KIND, schedule_digests)
